//! PROPFIND, PROPPATCH and ACL.

use presence_model::Rights;

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
        // An empty body asks for every property (RFC 4918 §9.1).
        None => PropFind::AllProp,
        Some(XmlBody::PropFind(p)) => p,
        Some(_) => return Err(Failure::bad("PROPFIND body must be a propfind document")),
    };
    // Reading named values needs `read`; learning which properties the node
    // has is listing them (`list`, draft §6.7.1): `propname` needs `list`
    // alone, `allprop` (names and values) both.
    let (needed, what) = match &wanted {
        PropFind::Prop(_) => (Rights::READ, "read"),
        PropFind::PropName => (Rights::LIST, "list"),
        _ => (Rights::READ | Rights::LIST, "read and list"),
    };
    let mut model = ctx.shared.lock();
    let allowed = model
        .core
        .may(requester, &ctx.target, needed)
        .map_err(|e| model_error(e.status(), e))?;
    if !allowed {
        drop(model);
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            format!("PROPFIND of these properties needs the {what} right"),
        ));
    }
    let stored = model.props.get(&ctx.target).cloned().unwrap_or_default();
    if matches!(wanted, PropFind::PropName) {
        drop(model);
        return Ok(xml_response(
            StatusCode::MULTI_STATUS,
            property_names(ctx, &stored),
        ));
    }
    let state = model
        .core
        .presence_for(ctx.now, requester, &ctx.target)
        .map_err(|e| model_error(e.status(), e))?;
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

/// A `propname` answer: the names of the properties the node has, under a
/// `200` propstat, without values.
fn property_names(ctx: &Ctx<'_>, stored: &[Property]) -> Bytes {
    let mut names = vec![PropName::State, PropName::DisplayName];
    if ctx.entry.email.is_some() {
        names.push(PropName::Email);
    }
    for p in stored {
        if !names.contains(&p.name()) {
            names.push(p.name());
        }
    }
    MultiStatus {
        responses: vec![StatusResponse {
            href: ctx.target.as_str().to_owned(),
            propstats: vec![PropStat {
                props: names.into_iter().map(PropEntry::Name).collect(),
                status: PropStatus::new(StatusCode::OK),
            }],
        }],
    }
    .to_bytes()
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
            // Checked, saved, and only then applied: an ACL that cannot be
            // saved is never in force (the client is told 500 and the old
            // ACL stays, in memory and on disk). Saved while holding the lock
            // so concurrent writes land in order.
            model
                .core
                .check_set_acl(requester, &ctx.target, &acl)
                .map_err(|e| model_error(e.status(), e))?;
            if let Err(e) = shared.acls.save(&ctx.entry.domain, &ctx.entry.alias, &acl) {
                drop(model);
                tracing::error!(principal = %ctx.target.as_str(), error = %e, "saving an ACL failed: the old ACL stays in force");
                return Err(Failure::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("saving the ACL: {e}"),
                ));
            }
            let applied = model
                .core
                .set_acl(ctx.now, requester, &ctx.target, acl)
                .map_err(|e| model_error(e.status(), e));
            shared.after_change(model);
            applied?;
            Ok(empty(StatusCode::OK))
        }
        Some(_) => Err(Failure::bad("ACL body must be an rvpacl document")),
    }
}
