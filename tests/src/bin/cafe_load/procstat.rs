//! Server-side figures read from outside the server: `/proc/<pid>/stat` for CPU time and
//! `/proc/<pid>/status` for resident memory. Reading them needs no cooperation from the
//! server, so the numbers stay honest whatever the server reports about itself.

use std::fs;

#[derive(Debug, Clone, Copy, Default)]
pub struct ProcSample {
    /// user + system CPU time, microseconds.
    pub cpu_us: u64,
    /// Resident set size, KiB.
    pub rss_kib: u64,
}

fn clock_ticks_per_sec() -> u64 {
    // SAFETY: sysconf only reads a configuration value.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 {
        t as u64
    } else {
        100
    }
}

/// `pid` None reads this process (the generator's own cost).
pub fn sample(pid: Option<u32>) -> Option<ProcSample> {
    let dir = match pid {
        Some(p) => format!("/proc/{p}"),
        None => "/proc/self".to_string(),
    };
    let stat = fs::read_to_string(format!("{dir}/stat")).ok()?;
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    let after = stat.get(stat.rfind(')')? + 1..)?;
    let fields: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 of stat(5) (utime, stime); `after` starts at field 3.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    let cpu_us = (utime + stime) * 1_000_000 / clock_ticks_per_sec();
    let status = fs::read_to_string(format!("{dir}/status")).ok()?;
    let rss_kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    Some(ProcSample { cpu_us, rss_kib })
}

/// Whole-machine CPU time (all cores), microseconds busy and total, from `/proc/stat`. The
/// busy share not taken by the server or the generator shows how much other work (other
/// engineers' builds) competed with the benchmark.
#[derive(Debug, Clone, Copy, Default)]
pub struct MachineSample {
    pub busy_us: u64,
    pub total_us: u64,
    /// Interrupt and softirq time: loopback TCP is processed here, and Linux does not
    /// charge it to the sending or receiving process.
    pub irq_us: u64,
    /// Time the hypervisor gave this VM's CPUs to someone else.
    pub steal_us: u64,
}

pub fn machine() -> Option<MachineSample> {
    let stat = fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?.strip_prefix("cpu ")?;
    let v: Vec<u64> = line
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal (guest time is inside user already).
    let total: u64 = v.iter().take(8).sum();
    let idle = v.get(3).copied().unwrap_or(0) + v.get(4).copied().unwrap_or(0);
    let k = 1_000_000 / clock_ticks_per_sec();
    let at = |i: usize| v.get(i).copied().unwrap_or(0);
    Some(MachineSample {
        busy_us: (total - idle) * k,
        total_us: total * k,
        irq_us: (at(5) + at(6)) * k,
        steal_us: at(7) * k,
    })
}

/// The 1-minute load average.
pub fn loadavg() -> Option<f64> {
    fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
