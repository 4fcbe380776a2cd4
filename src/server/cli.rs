//! The command line: serving (no arguments), `create-corp`, and `--help`.

use std::time::Duration;

use crate::server::{
    secret::Secret,
    service::{corp::NewCorp, platform::NewPlatformAdmin},
    simulate::Plan,
};

pub const HELP: &str = "\
backoffice — the back office of an IoT cloud platform

USAGE:
    backoffice                 Serve the site and the /v2 and /api APIs (address from LEPTOS_SITE_ADDR,
                               default 127.0.0.1:3000)
    backoffice create-corp --company <name> --name <admin name> --email <email>
                           --phone <phone> --password <password>
                               Create a corp (a vendor, with its vendor code) and its first admin
                               member (role 1, active); prints {\"corp_id\": \"...\", \"member_id\": ...}
    backoffice create-platform-admin --account <name> --password <password>
                               Create an administrator of the platform operator, who signs in at
                               /platform and POST /api/platform/auth; prints {\"admin_id\": ...}
    backoffice simulate --product <id> --devices <n> --rate <messages/s>
                        [--broker <host:port>] [--create] [--duration <seconds>]
                               Connect n virtual water purifiers of the product to the MQTT broker
                               (default: the one configured, MQTT_LISTEN or MQTT_URL): they report
                               telemetry at the given total rate and obey commands. --create adds
                               the product's missing devices first (within the corp's quota)
    backoffice reconcile       Check that the commission ledger adds up (every account's entries,
                               balances and withdrawals, every order's commission); prints what
                               does not and exits 1, or prints \"the ledger reconciles\"
    backoffice migrate [--status]
                               Apply the migrations not yet applied (the server also does at
                               start); --status only lists each one, applied or pending
    backoffice backup --to <file>
                               SQLite: an online, consistent copy of the database to a new file,
                               while the server keeps serving. PostgreSQL: prints the pg_dump
                               command to use instead, and exits 1
    backoffice restore --from <file>
                               SQLite: check the backup and put it in place of the database
                               (refused while a server runs on it)
    backoffice --help          Show this help

The database comes from DATABASE_URL (sqlite:… or postgres://…); when it is unset the server
uses the SQLite file data/backoffice.db, creating it on first run. Every setting is listed in
.env.example; a .env file in the working directory is read too.
";

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    Serve,
    Help,
    CreateCorp(NewCorp),
    CreatePlatformAdmin(NewPlatformAdmin),
    Simulate(Plan),
    Reconcile,
    Migrate { status: bool },
    Backup { to: std::path::PathBuf },
    Restore { from: std::path::PathBuf },
}

/// Parses the arguments after the program name; a mistake is a message for the user.
pub fn parse(args: &[String]) -> Result<Command, String> {
    match args.first().map(String::as_str) {
        None => Ok(Command::Serve),
        Some("-h" | "--help" | "help") => Ok(Command::Help),
        Some("create-corp") => create_corp(&args[1..]).map(Command::CreateCorp),
        Some("create-platform-admin") => create_platform_admin(&args[1..]).map(Command::CreatePlatformAdmin),
        Some("simulate") => simulate(&args[1..]).map(Command::Simulate),
        Some("reconcile") if args.len() == 1 => Ok(Command::Reconcile),
        Some("reconcile") => Err("reconcile takes no options; see backoffice --help".into()),
        Some("migrate") => match &args[1..] {
            [] => Ok(Command::Migrate { status: false }),
            [flag] if flag == "--status" => Ok(Command::Migrate { status: true }),
            _ => Err("migrate takes only --status; see backoffice --help".into()),
        },
        Some("backup") => match &args[1..] {
            [flag, file] if flag == "--to" && !file.is_empty() => Ok(Command::Backup { to: file.into() }),
            _ => Err("backup needs --to <file>; see backoffice --help".into()),
        },
        Some("restore") => match &args[1..] {
            [flag, file] if flag == "--from" && !file.is_empty() => Ok(Command::Restore { from: file.into() }),
            _ => Err("restore needs --from <file>; see backoffice --help".into()),
        },
        Some(other) => Err(format!("unknown command {other:?}; see backoffice --help")),
    }
}

fn create_corp(args: &[String]) -> Result<NewCorp, String> {
    let (mut company, mut name, mut email, mut phone, mut password) = (None, None, None, None, None);
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let slot = match flag.as_str() {
            "--company" => &mut company,
            "--name" => &mut name,
            "--email" => &mut email,
            "--phone" => &mut phone,
            "--password" => &mut password,
            other => return Err(format!("create-corp: unknown option {other:?}; see backoffice --help")),
        };
        let value = it.next().ok_or_else(|| format!("create-corp: {flag} needs a value"))?;
        *slot = Some(value.clone());
    }
    let need = |v: Option<String>, flag: &str| v.ok_or_else(|| format!("create-corp: {flag} is required"));
    Ok(NewCorp {
        company: need(company, "--company")?,
        name: need(name, "--name")?,
        email: need(email, "--email")?,
        phone: need(phone, "--phone")?,
        password: Secret::new(need(password, "--password")?),
    })
}

fn create_platform_admin(args: &[String]) -> Result<NewPlatformAdmin, String> {
    let (mut account, mut password) = (None, None);
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let slot = match flag.as_str() {
            "--account" => &mut account,
            "--password" => &mut password,
            other => return Err(format!("create-platform-admin: unknown option {other:?}; see backoffice --help")),
        };
        let value = it.next().ok_or_else(|| format!("create-platform-admin: {flag} needs a value"))?;
        *slot = Some(value.clone());
    }
    let need = |v: Option<String>, flag: &str| v.ok_or_else(|| format!("create-platform-admin: {flag} is required"));
    Ok(NewPlatformAdmin { account: need(account, "--account")?, password: Secret::new(need(password, "--password")?) })
}

fn simulate(args: &[String]) -> Result<Plan, String> {
    let mut plan =
        Plan { product_id: String::new(), devices: 0, rate: 0.0, broker: None, create: false, duration: None };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "--create" {
            plan.create = true;
            continue;
        }
        let value = it.next().ok_or_else(|| format!("simulate: {flag} needs a value"))?;
        let number = |what: &str| -> Result<f64, String> {
            value
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite() && *n > 0.0)
                .ok_or_else(|| format!("simulate: {flag} must be a {what}"))
        };
        match flag.as_str() {
            "--product" => plan.product_id = value.clone(),
            "--devices" => {
                plan.devices =
                    value.parse().ok().filter(|n| *n > 0).ok_or("simulate: --devices must be a whole number above 0")?
            }
            "--rate" => plan.rate = number("number of messages a second above 0")?,
            "--broker" => plan.broker = Some(value.clone()),
            "--duration" => plan.duration = Some(Duration::from_secs_f64(number("number of seconds above 0")?)),
            other => return Err(format!("simulate: unknown option {other:?}; see backoffice --help")),
        }
    }
    if plan.product_id.is_empty() {
        return Err("simulate: --product is required".into());
    }
    if plan.devices == 0 {
        return Err("simulate: --devices is required".into());
    }
    if plan.rate == 0.0 {
        plan.rate = plan.devices as f64 / 10.0;
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn parses_commands() {
        assert!(matches!(parse(&[]), Ok(Command::Serve)));
        assert!(matches!(parse(&args("--help")), Ok(Command::Help)));
        assert!(matches!(parse(&args("reconcile")), Ok(Command::Reconcile)));
        assert!(parse(&args("reconcile --fix")).is_err());
        let c =
            parse(&args("create-corp --company Acme --name Ann --email a@b.cn --phone 13800000000 --password secret1"));
        assert!(matches!(c, Ok(Command::CreateCorp(NewCorp { ref company, .. })) if company == "Acme"));
        assert!(parse(&args("create-corp --company Acme")).unwrap_err().contains("--name is required"));
        assert!(parse(&args("create-corp --company")).unwrap_err().contains("needs a value"));
        assert!(parse(&args("create-corp --bogus x")).unwrap_err().contains("unknown option"));
        assert!(parse(&args("frobnicate")).is_err());
        let a = parse(&args("create-platform-admin --account ops --password Secret123"));
        assert!(
            matches!(a, Ok(Command::CreatePlatformAdmin(NewPlatformAdmin { ref account, .. })) if account == "ops")
        );
        assert!(parse(&args("create-platform-admin --account ops")).unwrap_err().contains("--password is required"));
        let s = parse(&args("simulate --product p1 --devices 10 --rate 5 --create --duration 2"));
        assert!(
            matches!(s, Ok(Command::Simulate(Plan { ref product_id, devices: 10, create: true, .. })) if product_id == "p1")
        );
        assert!(parse(&args("simulate --devices 10")).unwrap_err().contains("--product is required"));
        assert!(parse(&args("simulate --product p --devices 0")).is_err());
        assert!(parse(&args("simulate --product p --devices 3 --rate -1")).is_err());
    }
}
