//! Benchmark: generate a users CSV, import it into a fresh SQLite store, report wall
//! time, rows per second and peak memory.
//!
//! `cargo run --release -p portcullis-bulk-import --example import_bench -- --users 1000000`

use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use clap::Parser;
use portcullis_bulk_import::{
    ImportOptions, ImportSource, Outcome, Progress, ProgressSnapshot, import_users,
};
use portcullis_store::Store;
use portcullis_store_sqlite::SqliteStore;

#[derive(Debug, Parser)]
struct Args {
    /// Users to generate and import.
    #[arg(long, default_value_t = 1_000_000)]
    users: u64,
    /// Users per transaction.
    #[arg(long, default_value_t = portcullis_bulk_import::DEFAULT_CHUNK_SIZE)]
    chunk_size: usize,
    /// Each generated user is a member of one of this many groups (0: no groups column).
    #[arg(long, default_value_t = 0)]
    groups: u64,
}

/// Prints a line every 10% of the file.
struct Tenths {
    next: std::sync::atomic::AtomicU64,
}

impl Progress for Tenths {
    fn update(&self, s: &ProgressSnapshot) {
        let tenth = s.bytes_read * 10 / s.total_bytes.max(1);
        if tenth >= self.next.load(std::sync::atomic::Ordering::Relaxed) {
            self.next
                .store(tenth + 1, std::sync::atomic::Ordering::Relaxed);
            eprintln!(
                "  {:>3}%  {} rows read, {} imported, {:.0} rows/s, VmRSS {} kB",
                tenth * 10,
                s.rows_read,
                s.imported,
                s.rows_per_second,
                proc_status("VmRSS").unwrap_or(0)
            );
        }
    }
}

/// A `/proc/self/status` figure in kB (Linux).
fn proc_status(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|line| line.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn generate(path: &Path, users: u64, groups: u64) -> std::io::Result<u64> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    let departments = [
        "Sales",
        "Research",
        "Finance",
        "Operations",
        "Legal",
        "Support",
        "Marketing",
    ];
    write!(
        out,
        "userPrincipalName,displayName,mail,userType,accountEnabled,department,jobTitle"
    )?;
    writeln!(out, "{}", if groups > 0 { ",groups" } else { "" })?;
    for i in 1..=users {
        let department = departments[(i % departments.len() as u64) as usize];
        let user_type = if i % 20 == 0 { "guest" } else { "member" };
        write!(
            out,
            "user{i:07}@example.com,User {i:07},user{i:07}@mail.example.com,{user_type},{},{department},Engineer {}",
            i % 50 != 0,
            i % 9
        )?;
        if groups > 0 {
            write!(out, ",Group {}", i % groups)?;
        }
        writeln!(out)?;
    }
    out.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

fn groups_file(path: &Path, groups: u64) -> std::io::Result<()> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "displayName,description")?;
    for g in 0..groups {
        writeln!(out, "Group {g},Benchmark group {g}")?;
    }
    out.flush()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let users_path = dir.path().join("users.csv");
    let generated = Instant::now();
    let bytes = generate(&users_path, args.users, args.groups)?;
    let mut source = ImportSource::users(&users_path);
    if args.groups > 0 {
        let groups_path = dir.path().join("groups.csv");
        groups_file(&groups_path, args.groups)?;
        source = source.with_groups(groups_path);
    }
    eprintln!(
        "generated {} users ({:.1} MB) in {:.1} s",
        args.users,
        bytes as f64 / 1e6,
        generated.elapsed().as_secs_f64()
    );
    let data_dir = dir.path().join("data");
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open_dir(&data_dir).await?);
    let rss_before = proc_status("VmRSS").unwrap_or(0);
    let options = ImportOptions {
        chunk_size: args.chunk_size,
        ..ImportOptions::default()
    };
    let progress = Tenths { next: 0.into() };
    let started = Instant::now();
    let report = import_users(store.clone(), source, options, &progress).await?;
    let wall = started.elapsed().as_secs_f64();
    let stored = store.count_users(None).await?;
    let head = store.audit_chain_head().await?;
    let db_bytes: u64 = std::fs::read_dir(&data_dir)?
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!("users in file        {}", args.users);
    println!("chunk size           {}", args.chunk_size);
    println!("groups               {}", args.groups);
    println!("outcome              {:?}", report.outcome);
    println!("users created        {}", report.counts.users_created);
    println!("users in store       {stored}");
    println!("audit records        {}", head.seq);
    println!("memberships added    {}", report.counts.memberships_added);
    println!("rows refused         {}", report.failed_rows);
    println!("wall time            {wall:.1} s");
    println!("rows/s               {:.0}", args.users as f64 / wall);
    println!("input size           {:.1} MB", bytes as f64 / 1e6);
    println!("database size        {:.1} MB", db_bytes as f64 / 1e6);
    println!("VmRSS before import  {rss_before} kB");
    println!(
        "peak RSS (VmHWM)     {} kB",
        proc_status("VmHWM").unwrap_or(0)
    );
    if report.outcome != Outcome::Completed || stored != args.users {
        return Err("the import did not store every user".into());
    }
    Ok(())
}
