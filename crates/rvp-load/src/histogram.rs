//! A log-bucketed latency histogram in the manner of HdrHistogram: constant
//! relative precision over a wide range, constant memory, mergeable.
//!
//! Values are microseconds. Values below `2^SUB_BITS` are counted exactly;
//! above, each power of two is split into `2^SUB_BITS` equal buckets, so a
//! reported quantile is at most `1 / 2^SUB_BITS` (under 0.8 %) above the true
//! value. Values above [`Histogram::MAX`] are counted in the last bucket.

use serde::Serialize;

/// Sub-buckets per power of two, as a power of two (128 buckets: < 0.8 % error).
const SUB_BITS: u32 = 7;
const SUB: u64 = 1 << SUB_BITS;
/// Powers of two covered above the exact range (up to about 2^40 µs, 12 days).
const MAGNITUDES: u32 = 40 - SUB_BITS;

/// Counts of values (microseconds) in logarithmic buckets.
///
/// ```
/// use rvp_load::Histogram;
///
/// let mut h = Histogram::new();
/// for v in 1..=1000 {
///     h.record(v);
/// }
/// assert_eq!(h.count(), 1000);
/// let p50 = h.quantile(0.5);
/// assert!((500..=504).contains(&p50), "{p50}");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    min: u64,
    max: u64,
    sum: u128,
}

impl Default for Histogram {
    fn default() -> Self {
        Self::new()
    }
}

/// The summary of a histogram written in reports (microseconds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Quantiles {
    /// Number of values.
    pub count: u64,
    /// Smallest value.
    pub min_us: u64,
    /// Median.
    pub p50_us: u64,
    /// 90th percentile.
    pub p90_us: u64,
    /// 99th percentile.
    pub p99_us: u64,
    /// 99.9th percentile.
    pub p999_us: u64,
    /// Largest value.
    pub max_us: u64,
    /// Arithmetic mean.
    pub mean_us: u64,
}

impl Histogram {
    /// The largest value told apart from larger ones (about 2^40 µs).
    pub const MAX: u64 = (1 << (MAGNITUDES + SUB_BITS)) - 1;

    /// An empty histogram.
    pub fn new() -> Self {
        Self {
            counts: vec![0; (SUB + u64::from(MAGNITUDES) * (SUB / 2)) as usize],
            total: 0,
            min: u64::MAX,
            max: 0,
            sum: 0,
        }
    }

    fn index(value: u64) -> usize {
        let v = value.min(Self::MAX);
        if v < SUB {
            return v as usize;
        }
        // The magnitude above the exact range, and the top SUB_BITS bits of the value
        // (whose highest bit is always set, hence only SUB / 2 distinct sub-buckets).
        let magnitude = 63 - v.leading_zeros() - (SUB_BITS - 1);
        let sub = (v >> magnitude) - SUB / 2;
        (SUB + u64::from(magnitude - 1) * (SUB / 2) + sub) as usize
    }

    /// The highest value that lands in bucket `i`.
    fn upper(i: usize) -> u64 {
        let i = i as u64;
        if i < SUB {
            return i;
        }
        let magnitude = (i - SUB) / (SUB / 2) + 1;
        let sub = (i - SUB) % (SUB / 2) + SUB / 2;
        ((sub + 1) << magnitude) - 1
    }

    /// Counts one value.
    pub fn record(&mut self, value: u64) {
        let i = Self::index(value);
        if let Some(c) = self.counts.get_mut(i) {
            *c += 1;
        }
        self.total += 1;
        self.min = self.min.min(value);
        self.max = self.max.max(value);
        self.sum += u128::from(value);
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.total += other.total;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.sum += other.sum;
    }

    /// Number of values counted.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// The value at quantile `q` (0.0 to 1.0): the upper bound of the bucket
    /// holding the value of that rank, never above the largest value seen; 0
    /// when empty.
    pub fn quantile(&self, q: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Self::upper(i).min(self.max).max(self.min);
            }
        }
        self.max
    }

    /// The summary written in reports.
    pub fn quantiles(&self) -> Quantiles {
        if self.total == 0 {
            return Quantiles::default();
        }
        Quantiles {
            count: self.total,
            min_us: self.min,
            p50_us: self.quantile(0.5),
            p90_us: self.quantile(0.9),
            p99_us: self.quantile(0.99),
            p999_us: self.quantile(0.999),
            max_us: self.max,
            mean_us: u64::try_from(self.sum / u128::from(self.total)).unwrap_or(u64::MAX),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_contiguous_and_increasing() {
        let h = Histogram::new();
        let mut last = None;
        for i in 0..h.counts.len() {
            let up = Histogram::upper(i);
            if let Some(prev) = last {
                assert!(up > prev, "bucket {i}");
                // Every value in (prev, up] maps to bucket i.
                assert_eq!(Histogram::index(prev + 1), i, "low edge of {i}");
            }
            assert_eq!(Histogram::index(up), i, "high edge of {i}");
            last = Some(up);
        }
        assert_eq!(last, Some(Histogram::MAX));
    }

    #[test]
    fn relative_error_is_bounded() {
        for v in [1u64, 127, 128, 129, 1000, 65_537, 1_000_000, 123_456_789] {
            let up = Histogram::upper(Histogram::index(v));
            assert!(up >= v);
            assert!((up - v) as f64 <= v as f64 / 64.0, "{v} -> {up}");
        }
    }

    #[test]
    fn quantiles_of_a_known_distribution() {
        let mut h = Histogram::new();
        for v in 1..=10_000u64 {
            h.record(v);
        }
        let q = h.quantiles();
        assert_eq!(q.count, 10_000);
        assert_eq!(q.min_us, 1);
        assert_eq!(q.max_us, 10_000);
        assert_eq!(q.mean_us, 5000);
        for (got, want) in [(q.p50_us, 5000), (q.p99_us, 9900), (q.p999_us, 9990)] {
            assert!(got >= want && got <= want + want / 64, "{got} vs {want}");
        }
        // A single outlier shows in the max and the p99.9 of few values.
        let mut h = Histogram::new();
        for _ in 0..999 {
            h.record(10);
        }
        h.record(5_000_000);
        assert_eq!(h.quantile(0.5), 10);
        assert_eq!(h.quantile(0.999), 10);
        assert!(h.quantile(1.0) == 5_000_000);
    }

    #[test]
    fn merge_and_overflow() {
        let mut a = Histogram::new();
        let mut b = Histogram::new();
        a.record(5);
        b.record(u64::MAX);
        a.merge(&b);
        assert_eq!(a.count(), 2);
        assert_eq!(a.quantile(1.0), Histogram::MAX);
        assert_eq!(Histogram::new().quantiles(), Quantiles::default());
    }
}
