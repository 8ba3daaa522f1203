//! What a scenario reports: one [`RunResult`] per target, the ratios of
//! ours to the baseline, the goals and whether they are met; printed for
//! people and written as JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::histogram::Quantiles;
use crate::metrics::{Metrics, Tally};
use crate::server::ProcSample;

/// Error kinds that are not failures (counted for information).
pub const EXPECTED_PREFIX: &str = "(expected)";

/// The figures of one run against one target.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RunResult {
    /// `rvp-server`, `bare` or `forwarder`.
    pub target: String,
    /// Length of the measured window, seconds.
    pub window_secs: f64,
    /// HTTP exchanges in the window.
    pub requests: u64,
    /// Exchanges per second.
    pub requests_per_sec: f64,
    /// `401` challenges among them.
    pub challenges: u64,
    /// Messages received by callbacks in the window.
    pub deliveries: u64,
    /// Messages received per second.
    pub deliveries_per_sec: f64,
    /// Send-to-receipt latency of messages.
    pub latency: Quantiles,
    /// Request round-trip time.
    pub request_latency: Quantiles,
    /// Errors by kind (kinds starting with `(expected)` are not failures).
    pub errors: BTreeMap<String, u64>,
    /// The exactly-once tally of messages.
    pub messages: Tally,
    /// The server process before the window (when known).
    pub server_before: Option<ProcSample>,
    /// The server process after the window (when known).
    pub server_after: Option<ProcSample>,
    /// Scenario-specific figures.
    pub extra: BTreeMap<String, f64>,
}

impl RunResult {
    /// The figures of `metrics`' current window of `window_secs`.
    pub fn from_metrics(target: &str, metrics: &Metrics, window_secs: f64) -> Self {
        let w = window_secs.max(1e-9);
        Self {
            target: target.to_owned(),
            window_secs,
            requests: metrics.requests(),
            requests_per_sec: metrics.requests() as f64 / w,
            challenges: metrics.challenges(),
            deliveries: metrics.deliveries(),
            deliveries_per_sec: metrics.deliveries() as f64 / w,
            latency: metrics.latency().quantiles(),
            request_latency: metrics.request_latency().quantiles(),
            errors: metrics.errors(),
            messages: metrics.tally(),
            ..Self::default()
        }
    }

    /// Errors that are failures, plus lost and duplicated messages.
    pub fn failures(&self) -> u64 {
        self.errors
            .iter()
            .filter(|(k, _)| !k.starts_with(EXPECTED_PREFIX))
            .map(|(_, n)| n)
            .sum::<u64>()
            + self.messages.lost
            + self.messages.duplicated
    }
}

/// One goal of the issue and whether this run met it.
#[derive(Clone, Debug, Serialize)]
pub struct Goal {
    /// What is compared.
    pub name: String,
    /// The measured value.
    pub value: f64,
    /// The goal, e.g. `>= 0.7`.
    pub goal: String,
    /// Whether it is met.
    pub met: bool,
}

impl Goal {
    /// `value >= min`.
    pub fn at_least(name: &str, value: f64, min: f64) -> Self {
        Self {
            name: name.to_owned(),
            value,
            goal: format!(">= {min}"),
            met: value >= min,
        }
    }

    /// `value <= max`.
    pub fn at_most(name: &str, value: f64, max: f64) -> Self {
        Self {
            name: name.to_owned(),
            value,
            goal: format!("<= {max}"),
            met: value <= max,
        }
    }
}

/// A whole scenario's report.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The scenario.
    pub scenario: String,
    /// Its parameters.
    pub parameters: serde_json::Value,
    /// The server under test.
    pub ours: RunResult,
    /// The baseline, when one was run.
    pub baseline: Option<RunResult>,
    /// Ours / baseline, by figure.
    pub ratios: BTreeMap<String, f64>,
    /// The goals.
    pub goals: Vec<Goal>,
    /// Whether no failure happened (in ours or the baseline).
    pub ok: bool,
}

/// `a / b`, or 0 when `b` is 0.
pub fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

impl Report {
    /// Builds a report; `ok` is computed from the failures.
    pub fn new(
        scenario: &str,
        parameters: serde_json::Value,
        ours: RunResult,
        baseline: Option<RunResult>,
        ratios: BTreeMap<String, f64>,
        goals: Vec<Goal>,
    ) -> Self {
        let ok = ours.failures() == 0 && baseline.as_ref().is_none_or(|b| b.failures() == 0);
        Self {
            scenario: scenario.to_owned(),
            parameters,
            ours,
            baseline,
            ratios,
            goals,
            ok,
        }
    }

    /// The JSON document.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }

    /// The human summary.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "== {} ({})",
            self.scenario,
            if self.ok { "ok" } else { "FAILED" }
        );
        for r in std::iter::once(&self.ours).chain(&self.baseline) {
            let _ = writeln!(
                s,
                "  {:<10} window {:>7.2}s  requests {:>9} ({:>9.0}/s)  deliveries {:>8} ({:>9.0}/s)",
                r.target,
                r.window_secs,
                r.requests,
                r.requests_per_sec,
                r.deliveries,
                r.deliveries_per_sec
            );
            if r.latency.count > 0 {
                let l = &r.latency;
                let _ = writeln!(
                    s,
                    "  {:<10} delivery latency µs: p50 {} p99 {} p99.9 {} max {}",
                    "", l.p50_us, l.p99_us, l.p999_us, l.max_us
                );
            }
            let q = &r.request_latency;
            if q.count > 0 {
                let _ = writeln!(
                    s,
                    "  {:<10} request latency µs:  p50 {} p99 {} p99.9 {}",
                    "", q.p50_us, q.p99_us, q.p999_us
                );
            }
            if let (Some(a), Some(b)) = (r.server_before, r.server_after) {
                let _ = writeln!(
                    s,
                    "  {:<10} server RSS {} -> {} KiB (peak {}), CPU {:.2}s",
                    "",
                    a.rss_kib,
                    b.rss_kib,
                    b.peak_rss_kib,
                    b.cpu_secs - a.cpu_secs
                );
            }
            let m = &r.messages;
            if m.accepted > 0 {
                let _ = writeln!(
                    s,
                    "  {:<10} messages accepted {} lost {} duplicated {}",
                    "", m.accepted, m.lost, m.duplicated
                );
            }
            for (k, v) in &r.extra {
                let _ = writeln!(s, "  {:<10} {k}: {v:.3}", "");
            }
            for (k, v) in &r.errors {
                let _ = writeln!(s, "  {:<10} error {k}: {v}", "");
            }
        }
        for (k, v) in &self.ratios {
            let _ = writeln!(s, "  ratio {k} (ours / baseline): {v:.3}");
        }
        for g in &self.goals {
            let _ = writeln!(
                s,
                "  goal {}: {:.3} {} -> {}",
                g.name,
                g.value,
                g.goal,
                if g.met { "met" } else { "NOT met" }
            );
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_failures() {
        let mut ours = RunResult {
            target: "rvp-server".into(),
            window_secs: 2.0,
            deliveries: 100,
            deliveries_per_sec: 50.0,
            ..RunResult::default()
        };
        ours.errors
            .insert(format!("{EXPECTED_PREFIX} NOTIFY 412"), 3);
        assert_eq!(ours.failures(), 0);
        let base = RunResult {
            target: "forwarder".into(),
            deliveries_per_sec: 100.0,
            ..RunResult::default()
        };
        let mut ratios = BTreeMap::new();
        ratios.insert("deliveries_per_sec".into(), ratio(50.0, 100.0));
        let goals = vec![Goal::at_least("deliveries ratio", 0.5, 0.7)];
        let r = Report::new(
            "delivery",
            serde_json::json!({"users": 10}),
            ours.clone(),
            Some(base),
            ratios,
            goals,
        );
        assert!(r.ok);
        let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(v["scenario"], "delivery");
        assert_eq!(v["ratios"]["deliveries_per_sec"], 0.5);
        assert_eq!(v["goals"][0]["met"], false);
        assert_eq!(v["ours"]["latency"]["p99_us"], 0);
        assert_eq!(v["parameters"]["users"], 10);
        assert!(r.summary().contains("NOT met"));
        ours.messages.lost = 1;
        let r = Report::new(
            "x",
            serde_json::Value::Null,
            ours,
            None,
            BTreeMap::new(),
            vec![],
        );
        assert!(!r.ok);
        assert_eq!(ratio(1.0, 0.0), 0.0);
    }
}
