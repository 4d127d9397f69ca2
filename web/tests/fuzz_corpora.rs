//! Replays the committed fuzz corpora (`fuzz/corpus/<target>/`) and the seeds they grew from
//! through the checks the fuzz targets run, so every input the fuzzer kept, crashes included,
//! is a regression test on stable, without cargo-fuzz.
#![cfg(all(not(target_arch = "wasm32"), feature = "js-api"))]

use std::fs;
use std::path::PathBuf;

use peerkeeper_web::fuzzing::{check_for, seeds};

const TARGETS: [&str; 2] = ["snapshot", "js_args"];

fn corpus(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus").join(target)
}

#[test]
fn every_committed_corpus_input_passes_its_targets_check() {
    for target in TARGETS {
        let check = check_for(target).expect("a check per target");
        let entries = fs::read_dir(corpus(target))
            .unwrap_or_else(|e| panic!("no corpus for {target}: {e}"))
            .map(|e| e.expect("a readable entry").path())
            .collect::<Vec<_>>();
        assert!(entries.len() >= 2, "{target}: only {} corpus inputs", entries.len());
        for path in entries {
            let data = fs::read(&path).expect("a readable input");
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(outcome.is_ok(), "{target}: {} breaks the check", path.display());
        }
    }
}

#[test]
fn every_seed_is_a_real_message_the_check_accepts() {
    let all = seeds();
    for target in TARGETS {
        assert!(all.iter().filter(|(t, _, _)| *t == target).count() >= 2, "{target} seeds");
    }
    for (target, name, data) in all {
        let check = check_for(target).expect("a check per seed's target");
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "{target}/{name} breaks the check");
    }
}

/// `cargo test -p peerkeeper-web --test fuzz_corpora -- --ignored` (re)writes the seeds into
/// the corpora; `cargo fuzz cmin` then keeps them only if they add coverage.
#[test]
#[ignore = "writes fuzz/corpus; run by hand when the seeds change"]
fn write_the_seeds_into_the_corpora() {
    for (target, name, data) in seeds() {
        fs::create_dir_all(corpus(target)).expect("corpus dir");
        fs::write(corpus(target).join(format!("seed-{name}")), data).expect("seed written");
    }
}

#[test]
fn the_js_value_seeds_read_as_the_values_they_are_named_after() {
    use peerkeeper_core::{BumpFn, DecayFn};
    use peerkeeper_web::arg_checks::{bump, decay};
    use peerkeeper_web::fuzzing::FuzzValue;

    let value = |name: &str| {
        let (_, _, data) = seeds().into_iter().find(|(_, n, _)| n == name).expect("a seed");
        FuzzValue::from_fuzz_bytes(&data[1..])
    };
    assert!(matches!(decay("m", &value("decay-none")), Ok(DecayFn::None)));
    assert!(matches!(decay("m", &value("decay-fixed")), Ok(DecayFn::Fixed { amount: 20 })));
    assert!(matches!(decay("m", &value("decay-linear")), Ok(DecayFn::Linear { coef: 0.5 })));
    assert!(matches!(
        decay("m", &value("decay-expire")),
        Ok(DecayFn::ExpireWhenInactive { after: 100 })
    ));
    assert_eq!(bump("m", &value("bump-overwrite")), Ok(BumpFn::Overwrite));
    assert_eq!(bump("m", &value("bump-bounded")), Ok(BumpFn::SumBounded { min: -5, max: 50 }));
    assert_eq!(value("config-undefined"), FuzzValue::Undefined);
}

#[test]
fn a_refused_js_value_names_the_method_and_the_argument() {
    use peerkeeper_web::arg_checks::{bump, decay, ArgError};
    use peerkeeper_web::fuzzing::FuzzValue;

    let obj = |fields: Vec<(&str, FuzzValue)>| {
        FuzzValue::Object(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    };
    let linear =
        obj(vec![("kind", FuzzValue::Str("linear".into())), ("coef", FuzzValue::Number(f64::NAN))]);
    assert_eq!(
        decay("tagPeerDecaying", &linear).err(),
        Some(ArgError::range_error(
            "tagPeerDecaying: decay.coef must be within [0, 1], got NaN".into()
        ))
    );
    assert_eq!(
        bump("tagPeerDecaying", &FuzzValue::Str("fixed".into())).err(),
        Some(ArgError::range_error(
            "tagPeerDecaying: unknown bump \"fixed\" (expected \"sum\", \"sum_bounded\" or \"overwrite\")"
                .into()
        ))
    );
    assert_eq!(
        decay("tagPeerDecaying", &FuzzValue::Str("fixed".into())).err(),
        Some(ArgError::type_error(
            "tagPeerDecaying: decay \"fixed\" needs its parameters: pass an object".into()
        ))
    );
}

/// Found by the fuzzer: an unknown decay or bump kind, or direction, was echoed into the error
/// in full, so a 10 MB string made a 10 MB message. It is shortened like any described value.
#[test]
fn an_unknown_kind_is_echoed_shortened_not_in_full() {
    use peerkeeper_web::arg_checks::{bump, decay, direction};
    use peerkeeper_web::fuzzing::FuzzValue;

    let long = "x".repeat(10_000);
    let expected_kind = format!("{:?}...", "x".repeat(40));
    let message = decay("tagPeerDecaying", &FuzzValue::Str(long.clone())).unwrap_err().message;
    assert_eq!(
        message,
        format!(
            "tagPeerDecaying: unknown decay {expected_kind} (expected \"none\", \"fixed\", \
             \"linear\" or \"expire_when_inactive\")"
        )
    );
    assert!(bump("m", &FuzzValue::Str(long.clone())).unwrap_err().message.len() < 150);
    assert_eq!(
        direction("connected", &long).unwrap_err().message,
        format!("connected: direction must be \"inbound\" or \"outbound\", got {expected_kind}")
    );
}
