//! The `backoffice` binary: serve, or run a command-line task.

use backoffice::server::{
    cli::{self, Command},
    config::Config,
    db::Db,
    http, maintenance,
    providers::files::Files,
    service::{commission, corp, platform},
    state::Ctx,
    watchdog,
};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = cli::parse(&args).unwrap_or_else(|msg| fail(&msg));
    if let Command::Help = command {
        print!("{}", cli::HELP);
        return;
    }
    let config = Config::from_env().unwrap_or_else(|msg| fail(&format!("configuration: {msg}")));
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into())
    };
    if config.log_json {
        // One JSON object a line, with the request's span (its id, method and path) on each.
        tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_env_filter(filter())
            .with_writer(std::io::stderr)
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter()).with_writer(std::io::stderr).init();
    }

    match command {
        Command::Help => unreachable!("handled above"),
        Command::CreateCorp(input) => {
            let ctx = connect(config).await;
            match corp::create_corp(&ctx, input).await {
                Ok(created) => println!("{}", serde_json::to_string(&created).expect("plain struct serializes")),
                Err(e) => fail(&e.into_api().msg),
            }
            ctx.db.close().await;
        }
        Command::CreatePlatformAdmin(input) => {
            let ctx = connect(config).await;
            match platform::create_admin(&ctx, input).await {
                Ok(id) => println!("{}", serde_json::json!({ "admin_id": id })),
                Err(e) => fail(&e.into_api().msg),
            }
            ctx.db.close().await;
        }
        Command::Simulate(plan) => simulate(config, plan).await,
        Command::Reconcile => {
            let ctx = connect(config).await;
            let problems = commission::reconcile(&ctx).await.unwrap_or_else(|e| fail(&e.into_api().msg));
            ctx.db.close().await;
            if !problems.is_empty() {
                for p in &problems {
                    println!("{p}");
                }
                fail(&format!("the ledger does not reconcile: {} problem(s)", problems.len()));
            }
            println!("the ledger reconciles");
        }
        Command::Serve => serve(config).await,
        Command::Migrate { status } => migrate(&config.database_url, status).await,
        Command::Backup { to } => {
            if maintenance::sqlite_path(&config.database_url).is_none() {
                fail(&maintenance::use_pg_dump(&to));
            }
            let db = Db::open(&config.database_url).await.unwrap_or_else(|e| fail(&format!("database: {e}")));
            let done = maintenance::backup(&db, &config.database_url, &to).await;
            db.close().await;
            println!("{}", done.unwrap_or_else(|e| fail(&e)));
        }
        Command::Restore { from } => {
            println!("{}", maintenance::restore(&config.database_url, &from).await.unwrap_or_else(|e| fail(&e)));
        }
    }
}

/// `backoffice migrate`: applies what is pending; with `--status`, lists every migration.
async fn migrate(url: &str, status: bool) {
    let db = Db::open(url).await.unwrap_or_else(|e| fail(&format!("database: {e}")));
    if !status {
        db.migrate().await.unwrap_or_else(|e| fail(&format!("migrate: {e}")));
    }
    let list = db.migration_status().await.unwrap_or_else(|e| fail(&format!("migrate: {e}")));
    db.close().await;
    for m in &list {
        println!("{:>4} {:<8} {}", m.version, if m.applied { "applied" } else { "pending" }, m.description);
    }
    let pending = list.iter().filter(|m| !m.applied).count();
    println!("{} applied, {pending} pending", list.len() - pending);
}

/// The context a command-line task runs on: the database (migrated) and the settings.
async fn connect(mut config: Config) -> Ctx {
    config.resolve_secrets_key().unwrap_or_else(|msg| fail(&msg));
    let db = Db::connect(&config.database_url).await.unwrap_or_else(|e| fail(&format!("database: {e}")));
    let files = Files::open(&config.files).unwrap_or_else(|e| fail(&e));
    Ctx { db, config: std::sync::Arc::new(config), mqtt: backoffice::server::mqtt::Bus::off(), files }
}

async fn serve(config: Config) {
    let leptos =
        leptos::config::get_configuration(None).unwrap_or_else(|e| fail(&format!("leptos configuration: {e}")));
    let mut options = leptos.leptos_options;
    // `cargo leptos build` with `hash-files` writes the hashes beside the binary; use them
    // whether or not LEPTOS_HASH_FILES says so, so the binary serves its own site.
    if let Some(dir) = std::env::current_exe().ok().and_then(|exe| exe.parent().map(ToOwned::to_owned)) {
        options.hash_files = dir.join(options.hash_file.as_ref()).exists();
    }
    let addr = options.site_addr;
    let database = redact(&config.database_url);
    let server = http::build(config, options).await.unwrap_or_else(|e| fail(&format!("database: {e}")));
    if let Some(dog) = &server.watchdog {
        dog.watch(watchdog::exit_stuck);
    }
    // An SQLite file is marked in use while the server runs: `backoffice restore` refuses it.
    let _in_use = maintenance::sqlite_path(&server.ctx.config.database_url)
        .map(|path| maintenance::hold_in_use(&path).unwrap_or_else(|e| fail(&format!("lock {}: {e}", path.display()))));
    if let Some(metrics_addr) = server.ctx.config.metrics_listen {
        let listener = tokio::net::TcpListener::bind(metrics_addr)
            .await
            .unwrap_or_else(|e| fail(&format!("bind METRICS_LISTEN {metrics_addr}: {e}")));
        let app = backoffice::server::metrics::router(server.ctx.db.clone(), server.ctx.mqtt.clone(), None);
        tracing::info!(%metrics_addr, "metrics on http://{metrics_addr}/metrics");
        tokio::spawn(async move { axum::serve(listener, app).await });
    }
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap_or_else(|e| fail(&format!("bind {addr}: {e}")));
    tracing::info!(%addr, %database, "backoffice listening on http://{addr}");
    let (drain, grace) = (server.ctx.config.shutdown_drain, server.ctx.config.shutdown_grace);
    if let Err(e) = http::serve_until_stopped(listener, server.router, server.draining, drain, grace).await {
        fail(&format!("server: {e}"));
    }
    server.ctx.db.close().await;
    tracing::info!("stopped");
}

/// Virtual devices of a product against the configured broker (or `--broker`).
async fn simulate(config: Config, plan: backoffice::server::simulate::Plan) {
    use backoffice::server::{config::Mqtt, mqtt::Topics, service::device, simulate};
    let broker = plan.broker.clone().unwrap_or_else(|| match &config.mqtt {
        Mqtt::External(url) => format!("{}:{}", url.host, url.port),
        Mqtt::Embedded { listen, .. } => listen.to_string(),
        Mqtt::Off => fail("simulate: MQTT is off here (MQTT_LISTEN=off); name the broker with --broker host:port"),
    });
    let topics = Topics { root: config.mqtt_topic_root.clone() };
    // Only the products and devices are read: no secrets key needed.
    let db = Db::connect(&config.database_url).await.unwrap_or_else(|e| fail(&format!("database: {e}")));
    let files = Files::open(&config.files).unwrap_or_else(|e| fail(&e));
    let ctx = Ctx { db, config: std::sync::Arc::new(config), mqtt: backoffice::server::mqtt::Bus::off(), files };
    let (key, macs) = device::for_simulation(&ctx, &plan.product_id, plan.devices, plan.create)
        .await
        .unwrap_or_else(|e| fail(&format!("simulate: {}", e.into_api().msg)));
    ctx.db.close().await;
    if macs.len() < plan.devices {
        eprintln!(
            "simulate: the product has {} devices, fewer than {} (add them, or pass --create)",
            macs.len(),
            plan.devices
        );
    }
    if macs.is_empty() {
        std::process::exit(1);
    }
    println!("simulating {} devices against {broker} at {} messages/s", macs.len(), plan.rate);
    simulate::run(&broker, &plan, simulate::credentials(&topics, &broker, &key, &plan.product_id, &macs)).await;
}

/// The database URL without its password, for the log.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://***{}", &url[..scheme], &url[at..]),
        _ => url.to_owned(),
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("backoffice: {msg}");
    std::process::exit(1);
}
