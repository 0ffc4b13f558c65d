//! Every input the fuzzers kept (`fuzz/corpus/<target>/`, see `docs/security.md`) replayed
//! through the same check as its fuzz target, so the ordinary test run keeps what fuzzing
//! found. The checks live in `support/fuzz_checks.rs`, which the fuzz targets include too.

#[path = "support/fuzz_checks.rs"]
mod fuzz_checks;

use std::path::{Path, PathBuf};

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} is empty", dir.display());
    files
}

/// Runs `check` on every corpus file of `target`, naming the file that fails.
fn replay_corpus(target: &str, check: fn(&[u8])) {
    for file in corpus(target) {
        let data = std::fs::read(&file).expect("a readable corpus file");
        let outcome = std::panic::catch_unwind(|| check(&data));
        if let Err(panic) = outcome {
            eprintln!("{target}: {} fails", file.display());
            std::panic::resume_unwind(panic);
        }
    }
}

#[test]
fn client_frame_corpus() {
    replay_corpus("client_frame", fuzz_checks::client_frame);
}

#[test]
fn decide_apply_corpus() {
    replay_corpus("decide_apply", fuzz_checks::decide_apply);
}

#[test]
fn replay_log_corpus() {
    replay_corpus("replay_log", fuzz_checks::replay_log);
}

/// The warm start really reaches an open vote (so the fuzzer starts from one), and its log
/// passes the import's checks.
#[test]
fn the_prologue_opens_a_vote() {
    let mut s = fuzz_checks::Session::create(false, false, true);
    s.run(&mut fuzz_checks::Bytes::new(fuzz_checks::PROLOGUE));
    let kinds: Vec<&str> = s.log.iter().map(cafe_shared::Event::kind).collect();
    for k in [
        "table_created",
        "table_host_set",
        "round_started",
        "idea_posted",
    ] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    assert_eq!(kinds.last(), Some(&"vote_opened"), "{kinds:?}");
    s.finish();
    fuzz_checks::replay(s.log.clone());
}
