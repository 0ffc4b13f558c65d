//! Group-commit throughput of a store, without the network: `--cafes` café actors each append
//! one event and its command record and wait for the commit before the next (as an actor
//! acknowledges a batch), for `--seconds`. Prints appends per second and the append latency.
//!
//! ```sh
//! cargo run --release -p cafe-server --example store_bench -- --database-url sqlite:///tmp/b.db
//! psql -h 127.0.0.1 -U postgres test -c 'CREATE SCHEMA bench'
//! cargo run --release -p cafe-server --example store_bench -- \
//!   --database-url 'postgres://postgres@127.0.0.1/test?options=-csearch_path%3Dbench'
//! ```

use cafe_server::store::{self, CafeRow, CommandRecord, StoredEvent};
use cafe_shared::{CafeId, Event, JoinCode, PersonId, Phase};
use clap::Parser;
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    #[arg(long)]
    database_url: String,
    #[arg(long, default_value_t = 100)]
    cafes: usize,
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let store = store::open(&args.database_url).await?;
    let run = format!("{:x}", cafe_server::cafe::now_millis());
    let mut ids = Vec::new();
    for i in 0..args.cafes {
        let id = CafeId(format!("bench-{run}-{i}"));
        let code = JoinCode::from_random(&rand::random::<[u8; 6]>())?;
        let row = CafeRow {
            id: id.clone(),
            code,
            epoch: 1,
            created_at: 0,
        };
        store.create_cafe(&row, None, &[]).await?;
        ids.push(id);
    }
    let until = Instant::now() + Duration::from_secs_f64(args.seconds);
    let mut tasks = Vec::new();
    for id in ids {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut seq = 0u64;
            while Instant::now() < until {
                seq += 1;
                let event = StoredEvent {
                    seq,
                    at: 0,
                    command: Some((PersonId(1), format!("c{seq}"))),
                    event: Event::PhaseChanged {
                        phase: Phase::Ideate,
                    },
                };
                let cmd = CommandRecord {
                    person: PersonId(1),
                    id: format!("c{seq}"),
                    seq,
                };
                let t = Instant::now();
                store.append(&id, &[event], &[cmd]).await?;
                lat.push(t.elapsed());
            }
            Ok::<_, store::StoreError>(lat)
        }));
    }
    let started = Instant::now();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    let secs = started.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| {
        let i = ((all.len() as f64 - 1.0) * p).round() as usize;
        all.get(i).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
    };
    println!(
        "{} cafés: {:.0} appends/s, latency p50 {:.2} ms, p99 {:.2} ms ({} appends in {:.1} s)",
        args.cafes,
        all.len() as f64 / secs,
        pct(0.5),
        pct(0.99),
        all.len(),
        secs
    );
    store.close().await;
    Ok(())
}
