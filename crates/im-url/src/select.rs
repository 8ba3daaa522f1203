//! RFC 2782 target selection: lowest priority first, weighted random within a priority.

use rand::Rng;

use crate::dns::SrvTarget;

/// Orders SRV targets as RFC 2782 says a client tries them.
///
/// Targets are grouped by priority, lowest first. Within a group the RFC's algorithm is
/// applied repeatedly: zero-weight targets are placed first, a random number from 0 to the
/// sum of the remaining weights is drawn from `rng`, and the first target whose running
/// weight sum reaches it is taken next. A target of weight 0 is thus chosen first only
/// rarely (when the draw is 0), and a group where every weight is 0 keeps its order.
///
/// The RNG is a parameter so that tests and simulations are reproducible; pass a seeded
/// generator (e.g. `rand_chacha::ChaCha8Rng::seed_from_u64`) or `rand::rng()`.
///
/// ```
/// use im_url::{order_targets, Domain, SrvTarget};
/// use rand::SeedableRng;
/// let t = |name: &str, prio, weight| -> Result<SrvTarget, im_url::DomainError> {
///     Ok(SrvTarget::new(name.parse::<Domain>()?, 80).with_priority(prio).with_weight(weight))
/// };
/// let targets = vec![t("backup.example.com", 20, 0)?, t("a.example.com", 10, 1)?];
/// let mut rng = rand::rngs::StdRng::seed_from_u64(7);
/// let ordered = order_targets(&targets, &mut rng);
/// assert_eq!(ordered[0].target.as_str(), "a.example.com");
/// assert_eq!(ordered[1].target.as_str(), "backup.example.com");
/// # Ok::<(), im_url::DomainError>(())
/// ```
pub fn order_targets<R: Rng + ?Sized>(targets: &[SrvTarget], rng: &mut R) -> Vec<SrvTarget> {
    let mut sorted: Vec<&SrvTarget> = targets.iter().collect();
    // Stable: within a priority, zero weights first, then answer order.
    sorted.sort_by_key(|t| (t.priority, t.weight != 0));
    let mut out = Vec::with_capacity(sorted.len());
    let mut start = 0;
    while start < sorted.len() {
        let prio = sorted[start].priority;
        let end = sorted[start..]
            .iter()
            .position(|t| t.priority != prio)
            .map_or(sorted.len(), |n| start + n);
        let mut group: Vec<&SrvTarget> = sorted[start..end].to_vec();
        while !group.is_empty() {
            let total: u32 = group.iter().map(|t| u32::from(t.weight)).sum();
            let draw = rng.random_range(0..=total);
            let mut running = 0u32;
            let mut pick = group.len() - 1;
            for (i, t) in group.iter().enumerate() {
                running += u32::from(t.weight);
                if running >= draw {
                    pick = i;
                    break;
                }
            }
            out.push(group.remove(pick).clone());
        }
        start = end;
    }
    out
}

/// The target a client tries first ([`order_targets`]'s first element), or `None`.
pub fn select_target<'a, R: Rng + ?Sized>(
    targets: &'a [SrvTarget],
    rng: &mut R,
) -> Option<&'a SrvTarget> {
    let first = order_targets(targets, rng).into_iter().next()?;
    targets.iter().find(|t| **t == first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn t(name: &str, prio: u16, weight: u16) -> SrvTarget {
        SrvTarget::new(name.parse().unwrap(), 80)
            .with_priority(prio)
            .with_weight(weight)
    }

    #[test]
    fn priorities_are_strict() {
        let targets = vec![
            t("c", 30, 100),
            t("a", 10, 1),
            t("b", 20, 50),
            t("a2", 10, 1),
        ];
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..100 {
            let o = order_targets(&targets, &mut rng);
            let prios: Vec<u16> = o.iter().map(|t| t.priority).collect();
            assert_eq!(prios, [10, 10, 20, 30]);
        }
    }

    #[test]
    fn weights_split_selections() {
        let targets = vec![t("a", 0, 10), t("b", 0, 30), t("c", 0, 60)];
        let mut rng = ChaCha8Rng::seed_from_u64(42);
        let n = 20_000;
        let mut counts = [0u32; 3];
        for _ in 0..n {
            let s = select_target(&targets, &mut rng).unwrap();
            counts[usize::from(s.weight / 30)] += 1;
        }
        // Expected share w / (sum + 1) draws: the draw ranges over 0..=100.
        for (count, weight) in counts.iter().zip([10.0, 30.0, 60.0]) {
            let share = f64::from(*count) / f64::from(n);
            assert!((share - weight / 100.0).abs() < 0.02, "{counts:?}");
        }
    }

    #[test]
    fn zero_weights_are_rarely_first_and_all_zero_keeps_order() {
        let targets = vec![t("z", 0, 0), t("w", 0, 100)];
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let zero_first = (0..10_000)
            .filter(|_| select_target(&targets, &mut rng).unwrap().weight == 0)
            .count();
        assert!(zero_first < 300, "{zero_first}");
        let zeros = vec![t("a", 0, 0), t("b", 0, 0)];
        let o = order_targets(&zeros, &mut rng);
        assert_eq!(o[0].target.as_str(), "a");
        assert!(order_targets(&[], &mut rng).is_empty());
        assert!(select_target(&[], &mut rng).is_none());
    }

    #[test]
    fn same_seed_same_order() {
        let targets: Vec<SrvTarget> = (0..10).map(|i| t(&format!("h{i}"), 0, 10 + i)).collect();
        let a = order_targets(&targets, &mut ChaCha8Rng::seed_from_u64(9));
        let b = order_targets(&targets, &mut ChaCha8Rng::seed_from_u64(9));
        assert_eq!(a, b);
        assert_eq!(a.len(), 10);
    }
}
