//! `amends token add|list|revoke` as a person setting up a script runs it, on both engines.

mod common;

use app::domain::Role;
use app::store::Store;
use common::TestDb;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

#[tokio::test]
async fn tokens_are_made_listed_and_revoked_from_the_command_line() {
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let (db, engine, url) = (t.db.clone(), t.engine, t.url.clone());
        common::add_user(&db, "ada@team.example", "Ada", Role::Editor).await;

        let out = common::amends_on(
            &url,
            &[
                "token",
                "add",
                "--email",
                "Ada@team.example",
                "--scope",
                "write",
                "--name",
                "nightly sync",
                "--expires",
                "2999-12-31",
            ],
        );
        assert!(out.status.success(), "{engine}: {}", text(&out.stderr));
        // Only the secret goes to standard output, so `$(amends token add …)` captures it.
        let secret = text(&out.stdout).trim().to_string();
        assert!(app::auth::token::well_formed(&secret), "{engine}: {secret}");
        assert!(text(&out.stderr).contains("not shown again"));
        let rows = db.list_tokens(None).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (
                rows[0].name.as_str(),
                rows[0].scope.code(),
                rows[0].hint.as_str()
            ),
            ("nightly sync", "write", &secret[67..])
        );
        assert!(rows[0].expires_at.is_some());

        // It works against the API at once.
        let base = common::spawn(db.clone()).await;
        let res = common::client()
            .get(format!("{base}/api/v1/customers"))
            .bearer_auth(&secret)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{engine}");

        let list = common::amends_on(&url, &["token", "list", "--email", "ada@team.example"]);
        let listed = text(&list.stdout);
        assert!(
            listed.contains("nightly sync")
                && listed.contains("live")
                && listed.contains(&secret[67..]),
            "{engine}: {listed}"
        );
        assert!(!listed.contains(&secret[7..]), "the secret is never listed");

        // Bad input names the flag and creates nothing.
        for (args, flag) in [
            (vec!["--scope", "admin", "--name", "x"], "--scope"),
            (vec!["--scope", "read", "--name", ""], "--name"),
            (
                vec!["--scope", "read", "--name", "x", "--expires", "2020-01-01"],
                "--expires",
            ),
        ] {
            let mut all = vec!["token", "add", "--email", "ada@team.example"];
            all.extend(args);
            let bad = common::amends_on(&url, &all);
            assert!(!bad.status.success());
            assert!(
                text(&bad.stderr).contains(flag),
                "{engine}: {}",
                text(&bad.stderr)
            );
        }
        let nobody = common::amends_on(
            &url,
            &[
                "token",
                "add",
                "--email",
                "eve@evil.example",
                "--scope",
                "read",
                "--name",
                "x",
            ],
        );
        assert!(
            text(&nobody.stderr).contains("nobody on the team"),
            "{engine}"
        );
        assert_eq!(db.list_tokens(None).await.unwrap().len(), 1);

        let id = rows[0].id.to_string();
        let revoked = common::amends_on(&url, &["token", "revoke", &id]);
        assert!(
            revoked.status.success(),
            "{engine}: {}",
            text(&revoked.stderr)
        );
        assert!(text(&common::amends_on(&url, &["token", "list"]).stdout).contains("revoked"));
        let res = common::client()
            .get(format!("{base}/api/v1/customers"))
            .bearer_auth(&secret)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "{engine}");
        let audit = db
            .list_audit(Some("api_token".into()), None, Default::default())
            .await
            .unwrap();
        assert_eq!(audit.items.len(), 2, "{engine}: made and revoked");
        assert!(audit
            .items
            .iter()
            .all(|a| a.via.as_deref() == Some("command line")));
        assert!(!text(&common::amends_on(&url, &["token", "revoke", "999999"]).stderr).is_empty());
        t.drop_async().await;
    }
}
