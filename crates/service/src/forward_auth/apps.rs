//! Forward-auth applications by host and path prefix, reloaded when the directory-wide
//! security epoch moves (every application write bumps it), so an application added or
//! changed on any node is routed on every node within the epoch poll interval.

use std::sync::{Arc, RwLock};

use portcullis_core::{Application, ApplicationId, ApplicationKind, ClientId};
use portcullis_store::Store;

use super::request::{OriginalUrl, path_under};
use crate::error::ServiceResult;

/// A protected application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectedApp {
    pub id: ApplicationId,
    pub client_id: ClientId,
    pub display_name: String,
    /// Lower-case host, with a port only if the registration names one.
    pub host: String,
    pub path_prefix: String,
}

impl ProtectedApp {
    /// The application's forward-auth settings (`host`, `pathPrefix`, as the admin API
    /// validates them); `None` for other kinds, disabled apps or unusable settings.
    fn from_application(app: &Application) -> Option<Self> {
        if app.kind != ApplicationKind::ForwardAuth || !app.enabled {
            return None;
        }
        let host = app
            .settings
            .get("host")?
            .as_str()?
            .trim()
            .to_ascii_lowercase();
        let path_prefix = match app.settings.get("pathPrefix") {
            None => "/".to_owned(),
            Some(prefix) => prefix.as_str()?.to_owned(),
        };
        if host.is_empty() || !path_prefix.starts_with('/') {
            return None;
        }
        Some(ProtectedApp {
            id: app.id.clone(),
            client_id: app.app_id.clone(),
            display_name: app.display_name.clone(),
            host,
            path_prefix,
        })
    }

    /// Host match: exact, or the registration names no port and the request's host
    /// differs only by one.
    fn serves(&self, url: &OriginalUrl) -> bool {
        let host_ok = url.host == self.host
            || (!self.host.contains(':')
                && url
                    .host
                    .rsplit_once(':')
                    .is_some_and(|(name, _)| name == self.host && !name.starts_with('[')));
        host_ok && path_under(url.path(), &self.path_prefix)
    }
}

/// The routing table at one directory-wide epoch.
#[derive(Debug)]
struct Routes {
    global_epoch: i64,
    /// Longest path prefix first, so the most specific registration wins.
    apps: Vec<Arc<ProtectedApp>>,
}

/// This node's routing table.
#[derive(Default)]
pub(crate) struct AppRoutes {
    current: RwLock<Option<Arc<Routes>>>,
}

impl AppRoutes {
    /// The application serving `url`, reloading the table if the epoch moved.
    pub(crate) async fn find(
        &self,
        store: &dyn Store,
        global_epoch: i64,
        url: &OriginalUrl,
    ) -> ServiceResult<Option<Arc<ProtectedApp>>> {
        let routes = match self.cached(global_epoch) {
            Some(routes) => routes,
            None => self.reload(store, global_epoch).await?,
        };
        Ok(routes.apps.iter().find(|app| app.serves(url)).cloned())
    }

    fn cached(&self, global_epoch: i64) -> Option<Arc<Routes>> {
        self.current
            .read()
            .ok()?
            .clone()
            .filter(|routes| routes.global_epoch >= global_epoch)
    }

    async fn reload(&self, store: &dyn Store, global_epoch: i64) -> ServiceResult<Arc<Routes>> {
        let mut apps: Vec<Arc<ProtectedApp>> = store
            .list_applications()
            .await?
            .iter()
            .filter_map(ProtectedApp::from_application)
            .map(Arc::new)
            .collect();
        apps.sort_by_key(|app| std::cmp::Reverse(app.path_prefix.len()));
        // Stamped with the epoch asked for: the list was read after that epoch was seen,
        // so it is at least that new.
        let routes = Arc::new(Routes { global_epoch, apps });
        if let Ok(mut slot) = self.current.write() {
            *slot = Some(routes.clone());
        }
        Ok(routes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn app(settings: serde_json::Value) -> Application {
        Application {
            id: ApplicationId::from_uuid(uuid::Uuid::new_v4()),
            app_id: ClientId::from_uuid(uuid::Uuid::new_v4()),
            display_name: "Wiki".into(),
            kind: ApplicationKind::ForwardAuth,
            redirect_uris: vec![],
            granted_permissions: vec![],
            enabled: true,
            created_date_time: time::OffsetDateTime::UNIX_EPOCH,
            settings,
        }
    }

    fn url(host: &str, uri: &str) -> OriginalUrl {
        OriginalUrl {
            scheme: "https",
            host: host.into(),
            uri: uri.into(),
        }
    }

    #[test]
    fn hosts_and_prefixes() {
        let wiki =
            ProtectedApp::from_application(&app(json!({"host": "Wiki.example.com"}))).unwrap();
        assert!(wiki.serves(&url("wiki.example.com", "/x")));
        assert!(wiki.serves(&url("wiki.example.com:8443", "/x")));
        assert!(!wiki.serves(&url("evil.example.com", "/x")));
        let admin = ProtectedApp::from_application(&app(
            json!({"host": "wiki.example.com:8443", "pathPrefix": "/admin"}),
        ))
        .unwrap();
        assert!(admin.serves(&url("wiki.example.com:8443", "/admin/users")));
        assert!(!admin.serves(&url("wiki.example.com", "/admin/users")));
        assert!(!admin.serves(&url("wiki.example.com:8443", "/administrator")));

        let mut disabled = app(json!({"host": "wiki.example.com"}));
        disabled.enabled = false;
        assert!(ProtectedApp::from_application(&disabled).is_none());
        let mut oidc = app(json!({"host": "wiki.example.com"}));
        oidc.kind = ApplicationKind::OidcClient;
        assert!(ProtectedApp::from_application(&oidc).is_none());
    }
}
