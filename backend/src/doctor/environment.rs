//! What the process environment says about the deployment, read through a lookup function so
//! the rules are unit-tested without touching the real environment.

/// Platforms whose local disk is wiped on every deploy or restart, and the variable that gives
/// each away.
const EPHEMERAL_HOSTS: &[(&str, &str)] = &[
    ("KOYEB_APP_NAME", "Koyeb"),
    ("KOYEB_SERVICE_NAME", "Koyeb"),
    ("RENDER", "Render"),
    ("DYNO", "Heroku"),
    ("K_SERVICE", "Google Cloud Run"),
    ("RAILWAY_ENVIRONMENT", "Railway"),
    ("AWS_EXECUTION_ENV", "AWS (Lambda/ECS)"),
    ("KUBERNETES_SERVICE_HOST", "Kubernetes"),
];

/// The platform whose disk does not survive a deploy, if the environment shows one.
pub fn ephemeral_host(env: &dyn Fn(&str) -> Option<String>) -> Option<&'static str> {
    EPHEMERAL_HOSTS
        .iter()
        .find(|(var, _)| env(var).is_some_and(|v| !v.is_empty()))
        .map(|(_, name)| *name)
}

/// A django-storages (or provider-tutorial) variable, and what to set for Vitrine instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translation {
    pub found: &'static str,
    pub instead: String,
}

/// django-storages and tutorial variables left in the environment whose Vitrine counterpart is
/// not set: Vitrine does not read them, so say what to set.
pub fn foreign_variables(env: &dyn Fn(&str) -> Option<String>) -> Vec<Translation> {
    let set = |name: &str| env(name).is_some_and(|v| !v.is_empty());
    let value = |name: &str| env(name).unwrap_or_default();
    let rules: Vec<(&'static str, &'static str, String)> = vec![
        ("USE_S3", "VITRINE_STORAGE", "VITRINE_STORAGE=s3".into()),
        (
            "AWS_STORAGE_BUCKET_NAME",
            "VITRINE_S3_BUCKET",
            format!("VITRINE_S3_BUCKET={}", value("AWS_STORAGE_BUCKET_NAME")),
        ),
        (
            "AWS_S3_REGION_NAME",
            "AWS_REGION",
            format!("AWS_REGION={}", value("AWS_S3_REGION_NAME")),
        ),
        (
            "AWS_S3_ENDPOINT_URL",
            "AWS_ENDPOINT_URL_S3",
            format!("AWS_ENDPOINT_URL_S3={}", value("AWS_S3_ENDPOINT_URL")),
        ),
        (
            "AWS_S3_CUSTOM_DOMAIN",
            "VITRINE_PUBLIC_BASE_URL",
            format!(
                "VITRINE_MEDIA_URLS=public and VITRINE_PUBLIC_BASE_URL=https://{}",
                value("AWS_S3_CUSTOM_DOMAIN")
            ),
        ),
        (
            "R2_ACCOUNT_ID",
            "AWS_ENDPOINT_URL_S3",
            format!(
                "VITRINE_S3_PROVIDER=r2 and AWS_ENDPOINT_URL_S3=https://{}.r2.cloudflarestorage.com",
                value("R2_ACCOUNT_ID")
            ),
        ),
        (
            "R2_BUCKET_NAME",
            "VITRINE_S3_BUCKET",
            format!("VITRINE_S3_BUCKET={}", value("R2_BUCKET_NAME")),
        ),
        (
            "R2_ACCESS_KEY_ID",
            "AWS_ACCESS_KEY_ID",
            "AWS_ACCESS_KEY_ID (the R2 token's access key)".into(),
        ),
        (
            "R2_SECRET_ACCESS_KEY",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SECRET_ACCESS_KEY (the R2 token's secret)".into(),
        ),
        (
            "DO_SPACES_BUCKET",
            "VITRINE_S3_BUCKET",
            format!("VITRINE_S3_BUCKET={}", value("DO_SPACES_BUCKET")),
        ),
        (
            "DO_SPACES_REGION",
            "AWS_REGION",
            format!(
                "VITRINE_S3_PROVIDER=spaces and AWS_REGION={}",
                value("DO_SPACES_REGION")
            ),
        ),
        (
            "DO_SPACES_ENDPOINT",
            "AWS_ENDPOINT_URL_S3",
            format!("AWS_ENDPOINT_URL_S3={}", value("DO_SPACES_ENDPOINT")),
        ),
        (
            "DO_SPACES_KEY",
            "AWS_ACCESS_KEY_ID",
            "AWS_ACCESS_KEY_ID (the Spaces key)".into(),
        ),
        (
            "DO_SPACES_SECRET",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SECRET_ACCESS_KEY (the Spaces secret)".into(),
        ),
        (
            "USE_R2",
            "VITRINE_STORAGE",
            "VITRINE_STORAGE=s3 and VITRINE_S3_PROVIDER=r2".into(),
        ),
        (
            "R2_ENDPOINT_URL",
            "AWS_ENDPOINT_URL_S3",
            format!(
                "VITRINE_S3_PROVIDER=r2 and AWS_ENDPOINT_URL_S3={}",
                value("R2_ENDPOINT_URL")
            ),
        ),
        (
            "R2_REGION_NAME",
            "AWS_REGION",
            format!("AWS_REGION={}", value("R2_REGION_NAME")),
        ),
        (
            "R2_PUBLIC_URL",
            "VITRINE_PUBLIC_BASE_URL",
            format!(
                "VITRINE_MEDIA_URLS=public and VITRINE_PUBLIC_BASE_URL={}",
                with_scheme(&value("R2_PUBLIC_URL"))
            ),
        ),
        (
            "R2_PUBLIC_DOMAIN",
            "VITRINE_PUBLIC_BASE_URL",
            format!(
                "VITRINE_MEDIA_URLS=public and VITRINE_PUBLIC_BASE_URL={}",
                with_scheme(&value("R2_PUBLIC_DOMAIN"))
            ),
        ),
        (
            "USE_R2_MEDIA_PROXY",
            "VITRINE_MEDIA_URLS",
            "VITRINE_MEDIA_URLS=proxy (the app serves /media/…, checking who may see each picture)"
                .into(),
        ),
        (
            "DO_SPACES_CDN_ENDPOINT",
            "VITRINE_PUBLIC_BASE_URL",
            format!(
                "VITRINE_MEDIA_URLS=public and VITRINE_PUBLIC_BASE_URL={}",
                with_scheme(&value("DO_SPACES_CDN_ENDPOINT"))
            ),
        ),
        (
            "AWS_S3_MEDIA_BUCKET",
            "VITRINE_S3_BUCKET",
            format!(
                "VITRINE_S3_BUCKET={} (the media bucket; a downloads bucket beside it is left alone)",
                value("AWS_S3_MEDIA_BUCKET")
            ),
        ),
        (
            "STORAGE_BACKEND",
            "VITRINE_STORAGE",
            storage_backend(&value("STORAGE_BACKEND")),
        ),
    ];
    // A switch set to false says nothing to translate.
    const SWITCHES: [&str; 3] = ["USE_S3", "USE_R2", "USE_R2_MEDIA_PROXY"];
    rules
        .into_iter()
        .filter(|(found, ours, _)| set(found) && !set(ours))
        .filter(|(found, _, _)| !SWITCHES.contains(found) || truthy(&value(found)))
        .map(|(found, _, instead)| Translation { found, instead })
        .collect()
}

fn truthy(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "t" | "yes" | "y" | "on"
    )
}

/// A host or URL as a base URL (tutorials set `cdn.shop.example` as often as `https://…`).
fn with_scheme(value: &str) -> String {
    let value = value.trim().trim_end_matches('/');
    if value.starts_with("https://") || value.starts_with("http://") {
        value.to_owned()
    } else {
        format!("https://{value}")
    }
}

/// What a shop's `STORAGE_BACKEND` (`s3`, `r2`, `spaces`, `local`…) is in Vitrine's words.
fn storage_backend(value: &str) -> String {
    let value = value.to_ascii_lowercase();
    if value.contains("r2") {
        "VITRINE_STORAGE=s3 and VITRINE_S3_PROVIDER=r2".into()
    } else if value.contains("spaces") || value.contains("digitalocean") || value == "do" {
        "VITRINE_STORAGE=s3 and VITRINE_S3_PROVIDER=spaces".into()
    } else if value.contains("s3") {
        "VITRINE_STORAGE=s3 (VITRINE_S3_PROVIDER=aws, or the provider's name)".into()
    } else {
        "VITRINE_STORAGE=embedded, only on a host that keeps its disk (else a bucket: VITRINE_STORAGE=s3)".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn wiped_disks_are_recognised() {
        assert_eq!(
            ephemeral_host(&env_of(&[("RENDER", "true")])),
            Some("Render")
        );
        assert_eq!(
            ephemeral_host(&env_of(&[("KOYEB_APP_NAME", "shop")])),
            Some("Koyeb")
        );
        assert_eq!(ephemeral_host(&env_of(&[("HOME", "/root")])), None);
    }

    #[test]
    fn django_storages_variables_get_their_vitrine_names() {
        let env = env_of(&[
            ("USE_S3", "TRUE"),
            ("AWS_STORAGE_BUCKET_NAME", "shop-media"),
            ("AWS_S3_CUSTOM_DOMAIN", "cdn.shop.example"),
            ("AWS_REGION", "eu-west-1"),
            ("AWS_S3_REGION_NAME", "eu-west-1"),
        ]);
        let found = foreign_variables(&env);
        let names: Vec<_> = found.iter().map(|t| t.found).collect();
        // AWS_S3_REGION_NAME is not reported: AWS_REGION is already set.
        assert_eq!(
            names,
            ["USE_S3", "AWS_STORAGE_BUCKET_NAME", "AWS_S3_CUSTOM_DOMAIN"]
        );
        assert_eq!(found[1].instead, "VITRINE_S3_BUCKET=shop-media");
        assert!(found[2].instead.contains("https://cdn.shop.example"));
    }

    #[test]
    fn the_names_r2_and_spaces_shops_use_are_translated() {
        let found = foreign_variables(&env_of(&[
            ("USE_R2", "True"),
            ("R2_ENDPOINT_URL", "https://abc.r2.cloudflarestorage.com"),
            ("R2_REGION_NAME", "auto"),
            ("R2_PUBLIC_DOMAIN", "media.shop.example"),
            ("USE_R2_MEDIA_PROXY", "False"),
            (
                "DO_SPACES_CDN_ENDPOINT",
                "https://shop.fra1.cdn.digitaloceanspaces.com/",
            ),
            ("AWS_S3_MEDIA_BUCKET", "shop-media"),
            ("STORAGE_BACKEND", "r2"),
        ]));
        let said: std::collections::HashMap<&str, &str> = found
            .iter()
            .map(|t| (t.found, t.instead.as_str()))
            .collect();
        assert_eq!(
            said["USE_R2"],
            "VITRINE_STORAGE=s3 and VITRINE_S3_PROVIDER=r2"
        );
        assert!(said["R2_ENDPOINT_URL"].contains("AWS_ENDPOINT_URL_S3=https://abc.r2"));
        assert_eq!(said["R2_REGION_NAME"], "AWS_REGION=auto");
        assert!(
            said["R2_PUBLIC_DOMAIN"]
                .ends_with("VITRINE_PUBLIC_BASE_URL=https://media.shop.example")
        );
        assert!(!said.contains_key("USE_R2_MEDIA_PROXY"), "switched off");
        assert!(
            said["DO_SPACES_CDN_ENDPOINT"]
                .ends_with("=https://shop.fra1.cdn.digitaloceanspaces.com")
        );
        assert!(said["AWS_S3_MEDIA_BUCKET"].starts_with("VITRINE_S3_BUCKET=shop-media"));
        assert!(said["AWS_S3_MEDIA_BUCKET"].contains("downloads bucket"));
        assert!(said["STORAGE_BACKEND"].contains("VITRINE_S3_PROVIDER=r2"));
        let proxied = foreign_variables(&env_of(&[("USE_R2_MEDIA_PROXY", "1")]));
        assert!(proxied[0].instead.starts_with("VITRINE_MEDIA_URLS=proxy"));
    }

    #[test]
    fn r2_and_spaces_tutorial_variables_are_translated() {
        let found = foreign_variables(&env_of(&[
            ("R2_ACCOUNT_ID", "0123abcd"),
            ("DO_SPACES_REGION", "fra1"),
        ]));
        assert!(
            found[0]
                .instead
                .contains("https://0123abcd.r2.cloudflarestorage.com")
        );
        assert!(found[1].instead.contains("AWS_REGION=fra1"));
    }
}
