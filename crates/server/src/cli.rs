//! The command line: serve, migrate, seed, create-admin, schema, audit verify.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sinergi_services::{Db, audit};

use crate::{App, Config, app::shutdown_signal, demo, reindex::reindex};

/// Sinergi: the API of a smart-city investment matchmaking marketplace.
#[derive(Debug, Parser)]
#[command(name = "sinergi", version, about)]
pub struct Cli {
    /// A TOML file of settings; SINERGI_* environment variables override it.
    #[arg(long, global = true, env = "SINERGI_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrates the database, then serves the API until SIGTERM or SIGINT.
    Serve {
        /// Seed the demo data first when the database is empty.
        #[arg(long)]
        demo: bool,
    },
    /// Brings the database schema up to date.
    Migrate,
    /// Loads data.
    Seed {
        /// The demo data set (cities, embassies, investors, projects, demo accounts).
        #[arg(long, conflicts_with = "scale")]
        demo: bool,
        /// A deterministic national-scale data set, N times the programme (N=1: 514 cities,
        /// 25,000 projects, 2,000 organisations, 100,000 proposals), then indexed.
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=100))]
        scale: Option<u16>,
    },
    /// Creates an admin account unless one with this e-mail exists.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        #[arg(long, default_value = "Administrator")]
        name: String,
    },
    /// Rebuilds the search index from the database, aside, then switches to it (no downtime).
    Reindex,
    /// Prints the GraphQL SDL.
    Schema,
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Webhook deliveries.
    Webhooks {
        #[command(subcommand)]
        command: WebhooksCommand,
    },
}

/// Webhook commands.
#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Queues every FAILED delivery of enabled endpoints again (same webhook-id).
    RetryFailed,
}

/// Audit trail commands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walks the hash chain and names the first broken link.
    Verify,
}

/// Runs the command line.
pub async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Schema = cli.command {
        print!("{}", sinergi_api::sdl());
        return ExitCode::SUCCESS;
    }
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    crate::telemetry::init_tracing(&config.log, config.log_format);
    match run(cli.command, config).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn open_db(config: &Config) -> anyhow::Result<Db> {
    let db = crate::app::open_database(config).await?;
    db.migrate().await?;
    Ok(db)
}

async fn run(command: Command, config: Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Schema => print!("{}", sinergi_api::sdl()),
        Command::Migrate => {
            let db = open_db(&config).await?;
            println!(
                "database migrated ({} migrations applied)",
                db.applied_migrations().await?
            );
        }
        Command::Seed {
            demo: false,
            scale: None,
        } => {
            eprintln!("nothing to seed: pass --demo");
            return Ok(ExitCode::from(2));
        }
        Command::Seed { scale: Some(n), .. } => {
            let db = open_db(&config).await?;
            let scoring = sinergi_services::match_scores::Scoring {
                fx: &config.fx,
                weights: &config.weights,
            };
            let started = std::time::Instant::now();
            let summary = crate::scale::seed(&db, scoring, usize::from(n)).await?;
            println!(
                "seeded {summary} in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            reindex(&db, &config).await?;
        }
        Command::Seed { demo: true, .. } => {
            let db = open_db(&config).await?;
            let scoring = sinergi_services::match_scores::Scoring {
                fx: &config.fx,
                weights: &config.weights,
            };
            let key = crate::app::cursor_key(&crate::app::server_secret(&config)?);
            report_seed(demo::seed(&db, scoring, &key).await?);
        }
        Command::CreateAdmin {
            email,
            password,
            name,
        } => {
            sinergi_api::auth::check_password("--password", &password)
                .map_err(|_| anyhow::anyhow!("--password must be 10 to 200 characters"))?;
            let db = open_db(&config).await?;
            let hash = sinergi_api::auth::hash_password(password)
                .await
                .map_err(|_| anyhow::anyhow!("password hashing failed"))?;
            let (user, created) = sinergi_services::users::ensure_admin(&db, &email, &name, hash)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if created {
                println!("created admin {}", user.email);
            } else {
                println!(
                    "a user with e-mail {} exists already; nothing changed",
                    user.email
                );
            }
        }
        Command::Reindex => {
            let db = open_db(&config).await?;
            reindex(&db, &config).await?;
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let db = open_db(&config).await?;
            match audit::verify(&db).await? {
                audit::Verification::Intact { events } => {
                    println!("audit chain intact: {events} events")
                }
                audit::Verification::Broken { sequence, problem } => {
                    eprintln!("audit chain broken at event {sequence}: {problem}");
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
        Command::Webhooks {
            command: WebhooksCommand::RetryFailed,
        } => {
            let db = open_db(&config).await?;
            let n = sinergi_services::notify::retry_failed(&db).await?;
            println!("{n} failed deliveries queued again");
        }
        Command::Serve { demo: with_demo } => {
            let db = crate::app::open_database(&config).await?;
            let app = App::build(config, db).await?;
            if with_demo {
                report_seed(
                    demo::seed(&app.state.db, app.state.scoring(), &app.state.cursor_key).await?,
                );
            }
            let listener = app.listen().await?;
            let addr = listener.local_addr()?;
            tracing::info!(%addr, "serving GraphQL at http://{addr}/graphql");
            eprintln!("sinergi listening on http://{addr}/graphql");
            app.serve(listener, shutdown_signal()).await?;
            tracing::info!("stopped");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn report_seed(outcome: demo::Outcome) {
    match outcome {
        demo::Outcome::Seeded(s) => println!("demo data seeded: {s}"),
        demo::Outcome::AlreadyThere => println!("demo data already present; nothing changed"),
    }
}
