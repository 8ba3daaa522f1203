//! PROPFIND, PROPPATCH and ACL.

use super::*;

/// PROPFIND (Depth 0 only).
pub(super) fn propfind(ctx: &Ctx<'_>, requester: &Requester) -> Outcome {
    match ctx.headers.typed_get_with::<Depth>(&ctx.shared.codec) {
        Ok(None | Some(Depth::Zero)) => {}
        Ok(Some(_)) => {
            return Err(Failure::new(
                StatusCode::PRECONDITION_FAILED,
                "only Depth: 0 is supported",
            ));
        }
        Err(e) => return Err(Failure::bad(e.to_string())),
    }
    let wanted = match parse_body(ctx)? {
        None => PropFind::AllProp,
        Some(XmlBody::PropFind(p)) => p,
        Some(_) => return Err(Failure::bad("PROPFIND body must be a propfind document")),
    };
    let mut model = ctx.shared.lock();
    let state = model
        .core
        .presence_for(ctx.now, requester, &ctx.target)
        .map_err(|e| model_error(e.status(), e))?;
    let stored = model.props.get(&ctx.target).cloned().unwrap_or_default();
    ctx.shared.after_change(model);
    let entry = &ctx.entry;
    let lookup = |name: &PropName| -> Option<Property> {
        if let Some(p) = stored.iter().find(|p| &p.name() == name) {
            return Some(p.clone());
        }
        match name {
            PropName::State => Some(Property::State(xml::StateProperty::bare(wire_state(
                &state,
            )))),
            PropName::DisplayName => entry
                .display_name
                .clone()
                .or_else(|| Some(entry.alias.clone()))
                .map(Property::DisplayName),
            PropName::Email => entry.email.clone().map(Property::Email),
            _ => None,
        }
    };
    let names: Vec<PropName> = match wanted {
        PropFind::Prop(names) => names,
        _ => {
            let mut all = vec![PropName::State, PropName::DisplayName, PropName::Email];
            for p in &stored {
                if !all.contains(&p.name()) {
                    all.push(p.name());
                }
            }
            all
        }
    };
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for n in names {
        match lookup(&n) {
            Some(p) => found.push(p),
            None => missing.push(n),
        }
    }
    Ok(xml_response(
        StatusCode::MULTI_STATUS,
        multistatus(ctx, found, missing),
    ))
}

/// PROPPATCH: the leased state (with its view) and other properties.
pub(super) fn proppatch(ctx: &Ctx<'_>, requester: &Requester) -> Outcome {
    let update = match parse_body(ctx)? {
        Some(XmlBody::PropertyUpdate(u)) => u,
        _ => return Err(Failure::bad("PROPPATCH needs a propertyupdate document")),
    };
    let origin = origin_of(ctx.peer.ip());
    let mut model = ctx.shared.lock();
    let may_write = model
        .core
        .may(requester, &ctx.target, presence_model::Rights::WRITE)
        .map_err(|e| model_error(e.status(), e))?;
    if !may_write {
        return Err(Failure::new(StatusCode::FORBIDDEN, "write access denied"));
    }
    let mut echoed = Vec::new();
    for op in &update.ops {
        match op {
            UpdateOp::Set(props) => {
                for prop in props {
                    match prop {
                        Property::State(sp) => {
                            let value = model_state(sp.state())?;
                            let mut upd = match &sp.value {
                                xml::StateValue::Leased(l) => StateUpdate::leased(
                                    value,
                                    model_state(&l.default_value)?,
                                    Some(Duration::from_secs(u64::from(l.timeout_secs))),
                                ),
                                _ => StateUpdate::unleased(value),
                            };
                            upd = upd.with_origin(origin);
                            if let Some(v) = sp
                                .view_id
                                .as_deref()
                                .and_then(|v| v.trim().parse::<u32>().ok())
                            {
                                upd = upd.with_view(ViewId::new(v));
                            }
                            let out = model
                                .core
                                .set_state(ctx.now, requester, &ctx.target, upd)
                                .map_err(|e| model_error(e.status(), e))?;
                            let mut echo = match (&sp.value, out.lease) {
                                (xml::StateValue::Leased(l), Some(grant)) => {
                                    xml::StateProperty::leased(
                                        l.value.clone(),
                                        l.default_value.clone(),
                                        u32::try_from(grant.duration.as_secs()).unwrap_or(u32::MAX),
                                    )
                                }
                                _ => xml::StateProperty::bare(sp.state().clone()),
                            };
                            echo.view_id = out.view.map(|v| v.get().to_string());
                            echoed.push(Property::State(echo));
                        }
                        other => {
                            let size = estimate(other);
                            if size > MAX_PROP_BYTES {
                                return Err(Failure::new(
                                    StatusCode::PAYLOAD_TOO_LARGE,
                                    "property value too large",
                                ));
                            }
                            let stored = model.props.entry(ctx.target.clone()).or_default();
                            let name = other.name();
                            stored.retain(|p| p.name() != name);
                            if stored.len() >= MAX_STORED_PROPS {
                                return Err(Failure::new(
                                    StatusCode::INSUFFICIENT_STORAGE,
                                    "too many properties",
                                ));
                            }
                            stored.push(other.clone());
                            echoed.push(other.clone());
                        }
                    }
                }
            }
            UpdateOp::Remove(names) => {
                if let Some(stored) = model.props.get_mut(&ctx.target) {
                    stored.retain(|p| !names.contains(&p.name()));
                }
            }
            _ => {}
        }
    }
    ctx.shared.after_change(model);
    Ok(xml_response(
        StatusCode::MULTI_STATUS,
        multistatus(ctx, echoed, Vec::new()),
    ))
}

fn estimate(p: &Property) -> usize {
    match p {
        Property::DisplayName(s) | Property::Email(s) | Property::MobileDescription(s) => s.len(),
        Property::Unknown(u) => u.raw().len(),
        _ => 16,
    }
}

fn model_state(s: &xml::State) -> Result<PresenceState, Failure> {
    PresenceState::from_token(s.as_str()).map_err(|e| Failure::bad(e.to_string()))
}

/// ACL: read without a body, replace with one.
pub(super) fn acl(ctx: &Ctx<'_>, requester: &Requester) -> Outcome {
    let shared = ctx.shared;
    match parse_body(ctx)? {
        None => {
            let model = shared.lock();
            let acl = model
                .core
                .acl(requester, &ctx.target)
                .map_err(|e| model_error(e.status(), e))?;
            let body = acl_store::to_wire(acl).to_bytes();
            Ok(xml_response(StatusCode::OK, body))
        }
        Some(XmlBody::RvpAcl(doc)) => {
            let acl = acl_store::from_wire(&shared.names, &doc)
                .map_err(|e| Failure::bad(e.to_string()))?;
            let mut model = shared.lock();
            model
                .core
                .set_acl(ctx.now, requester, &ctx.target, acl.clone())
                .map_err(|e| model_error(e.status(), e))?;
            // Persist while holding the lock so concurrent writes land in order.
            let saved = shared.acls.save(&ctx.entry.domain, &ctx.entry.alias, &acl);
            shared.after_change(model);
            saved.map_err(|e| {
                Failure::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("saving the ACL: {e}"),
                )
            })?;
            Ok(empty(StatusCode::OK))
        }
        Some(_) => Err(Failure::bad("ACL body must be an rvpacl document")),
    }
}
