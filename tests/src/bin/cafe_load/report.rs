//! The human summary printed without --json.

use serde_json::Value;

pub fn print_human(v: &Value) {
    if v["workload"] == "VerifyVote" {
        println!("{v}");
        return;
    }
    println!(
        "workload {} — {} cafés × {} members = {} connections ({} connected, {} failed), {} worker(s)",
        v["workload"].as_str().unwrap_or(""),
        v["cafes"],
        v["members_per_cafe"],
        v["connections"],
        v["connected"],
        v["connect_failed"],
        v["workers"],
    );
    println!("largest snapshot frame: {} bytes", v["snapshot_bytes_max"]);
    println!(
        "setup {:.1} s, connect {:.1} s; server RSS start {} MiB, joined {} MiB, connected {} MiB",
        v["setup_secs"].as_f64().unwrap_or(0.0),
        v["connect_secs"].as_f64().unwrap_or(0.0),
        fmt_f(&v["server_rss_start_mib"]),
        fmt_f(&v["server_rss_joined_mib"]),
        fmt_f(&v["server_rss_connected_mib"]),
    );
    println!(
        "{:<22} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>5} {:>5} {:>9} {:>6} {:>7} {:>8} {:>6} {:>7}",
        "step", "samples", "first50", "p50 ms", "p99 ms", "p999 ms", "max ms", "lost", "gaps",
        "deliv/s", "srv %", "µs/del", "RSS MiB", "gen %", "other %"
    );
    for s in v["steps"].as_array().into_iter().flatten() {
        println!(
            "{:<22} {:>8} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>5} {:>5} {:>9.0} {:>6.1} {:>7.2} {:>8.1} {:>6.1} {:>7.1}",
            s["label"].as_str().unwrap_or(""),
            s["samples"].as_u64().unwrap_or(0),
            s["first_p50_ms"].as_f64().unwrap_or(0.0),
            s["p50_ms"].as_f64().unwrap_or(0.0),
            s["p99_ms"].as_f64().unwrap_or(0.0),
            s["p999_ms"].as_f64().unwrap_or(0.0),
            s["max_ms"].as_f64().unwrap_or(0.0),
            s["lost"].as_u64().unwrap_or(0),
            s["gaps"].as_u64().unwrap_or(0),
            s["deliveries_per_s"].as_f64().unwrap_or(0.0),
            s["server_cpu_pct"].as_f64().unwrap_or(0.0),
            s["server_cpu_us_per_delivery"].as_f64().unwrap_or(0.0),
            s["server_rss_max_mib"].as_f64().unwrap_or(0.0),
            s["generator_cpu_pct"].as_f64().unwrap_or(0.0),
            s["other_cpu_pct"].as_f64().unwrap_or(0.0),
        );
    }
    if let Some(e) = v["extra"].as_object() {
        for (k, x) in e {
            println!("{k}: {x}");
        }
    }
    if let Some(n) = v["notes"].as_object() {
        if !n.is_empty() {
            println!("notes: {}", Value::Object(n.clone()));
        }
    }
}

fn fmt_f(v: &Value) -> String {
    v.as_f64()
        .map(|x| format!("{x:.1}"))
        .unwrap_or_else(|| "?".into())
}
