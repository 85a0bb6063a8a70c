//! Changes that must leave the team signable-in, made at the same instant on both engines:
//! concurrent first-run set-ups make exactly one admin, and admins demoting or deactivating
//! each other at once leave at least one admin.

mod common;

use app::domain::Role;
use app::store::Store;
use common::on_both;
use futures_util::future::join_all;
use server::store::{Db, NewUser};

const ROUNDS: usize = 15;

async fn admins(db: &Db) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1")
        .fetch_one(db.pool())
        .await
        .expect("count admins")
}

#[tokio::test]
async fn concurrent_set_ups_make_exactly_one_admin() {
    on_both(|db, engine| async move {
        for round in 0..ROUNDS {
            let emails: Vec<String> = (0..6)
                .map(|i| format!("admin{round}-{i}@team.example"))
                .collect();
            let set_ups = emails.iter().map(|email| {
                let user = NewUser {
                    email,
                    name: "First admin",
                    role: Role::Admin,
                    password_hash: "not a real hash",
                };
                db.create_user(user, None, true, 0)
            });
            let results = join_all(set_ups).await;
            let won = results.iter().filter(|r| r.is_ok()).count();
            assert_eq!(won, 1, "{engine}, round {round}: {results:?}");
            assert_eq!(admins(&db).await, 1, "{engine}, round {round}");
            // Back to a team nobody can sign in to, for the next round.
            sqlx::query("UPDATE users SET active = 0")
                .execute(db.pool())
                .await
                .expect("deactivate");
        }
    })
    .await;
}

#[tokio::test]
async fn admins_demoting_each_other_at_once_leave_one_admin() {
    on_both(|db, engine| async move {
        common::add_user(&db, "ada@team.example", "Ada", Role::Admin).await;
        common::add_user(&db, "bob@team.example", "Bob", Role::Admin).await;
        let users = db.list_users().await.expect("users");
        let (ada, bob) = (users[0].id, users[1].id);
        for round in 0..ROUNDS {
            // Alternate demotion and deactivation: both take an admin away.
            let (role, active) = if round % 2 == 0 {
                (Role::Editor, true)
            } else {
                (Role::Admin, false)
            };
            let (a, b) = tokio::join!(
                db.update_user(ada, role, active, bob),
                db.update_user(bob, role, active, ada)
            );
            assert_eq!(
                usize::from(a.is_ok()) + usize::from(b.is_ok()),
                1,
                "{engine}, round {round}: {a:?} {b:?}"
            );
            assert_eq!(admins(&db).await, 1, "{engine}, round {round}");
            sqlx::query("UPDATE users SET role = 'admin', active = 1")
                .execute(db.pool())
                .await
                .expect("restore both admins");
        }
    })
    .await;
}
