//! Signal measurements for tests: public so unit tests, integration tests and benches of any
//! layer can check what a microphone delivered without repeating the arithmetic.

/// The frequency (Hz) of a clean periodic signal sampled at `sample_rate`, from its rising
/// zero crossings located by linear interpolation between samples. Accurate to a few mHz on a
/// second of a pure sine. Returns 0 when the signal crosses zero upwards fewer than twice.
pub fn estimate_frequency(samples: &[f32], sample_rate: u32) -> f64 {
    let mut first = None;
    let mut last = 0.0;
    let mut crossings = 0u64;
    for (i, pair) in samples.windows(2).enumerate() {
        let (a, b) = (f64::from(pair[0]), f64::from(pair[1]));
        if a < 0.0 && b >= 0.0 {
            let at = i as f64 + a / (a - b);
            first.get_or_insert(at);
            last = at;
            crossings += 1;
        }
    }
    match first {
        Some(first) if crossings >= 2 && last > first => {
            (crossings - 1) as f64 * f64::from(sample_rate) / (last - first)
        }
        _ => 0.0,
    }
}

/// The largest jump between two neighbouring samples: a click shows up as a step far above
/// the signal's own slope (`amplitude * 2π * frequency / sample_rate` for a sine).
pub fn max_step(samples: &[f32]) -> f32 {
    samples
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max)
}

/// Channel `channel` of interleaved `samples` with `channels` channels.
pub fn channel(samples: &[f32], channels: usize, channel: usize) -> Vec<f32> {
    if channels == 0 {
        return Vec::new();
    }
    samples
        .iter()
        .skip(channel)
        .step_by(channels)
        .copied()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f64, rate: u32, len: usize) -> Vec<f32> {
        let w = std::f64::consts::TAU * freq / f64::from(rate);
        (0..len)
            .map(|n| (w * n as f64 + 0.3).sin() as f32)
            .collect()
    }

    #[test]
    fn estimate_frequency_finds_a_sine_frequency() {
        for freq in [50.0, 440.0, 1234.5, 7000.0] {
            let measured = estimate_frequency(&sine(freq, 48_000, 48_000), 48_000);
            assert!(
                (measured - freq).abs() < 0.01,
                "{freq} Hz measured as {measured}"
            );
        }
    }

    #[test]
    fn estimate_frequency_of_silence_is_zero() {
        assert_eq!(estimate_frequency(&[0.0; 100], 48_000), 0.0);
        assert_eq!(estimate_frequency(&[], 48_000), 0.0);
    }

    #[test]
    fn max_step_sees_a_click() {
        let mut s = sine(440.0, 48_000, 1000);
        let smooth = max_step(&s);
        s[500] += 0.5;
        assert!(max_step(&s) > smooth + 0.4);
    }

    #[test]
    fn channel_deinterleaves() {
        assert_eq!(
            channel(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 1),
            vec![2.0, 4.0, 6.0]
        );
        assert!(channel(&[1.0], 0, 0).is_empty());
    }
}
