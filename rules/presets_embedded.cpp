// GENERATED from rules/presets/*.yaml — do not edit by hand. The copies of the preset files
// that an installed binary uses when the preset directory is not there. presets_test.cpp fails
// when this file and the YAML files differ; regenerate from the repository root with:
//
//   python3 - <<'PY'
//   names = [("kSecrets", "secrets"), ("kExpressNoise", "express-noise"),
//            ("kAreas", "areas"), ("kGroupByRoute", "group-by-route")]
//   old = open("rules/presets_embedded.cpp").read()
//   head = old[:old.index("\n#include") + 1]
//   body = "#include <string_view>\n\n// clang-format off\n"
//   body += "namespace faultline::rules::embedded {\n\n"
//   for var, name in names:
//       text = open(f"rules/presets/{name}.yaml").read()
//       body += f"extern const std::string_view {var};\n"
//       body += f'const std::string_view {var} = R"faultline_preset({text})faultline_preset";\n\n'
//   body += "}  // namespace faultline::rules::embedded\n// clang-format on\n"
//   open("rules/presets_embedded.cpp", "w").write(head + body)
//   PY
#include <string_view>

// clang-format off
namespace faultline::rules::embedded {

extern const std::string_view kSecrets;
const std::string_view kSecrets = R"faultline_preset(# Preset "secrets" (on by default): nothing that must not leave the host leaves it.
#
# It runs after every other rule, so whatever earlier rules copied into tags, the user or the
# fingerprint is scrubbed too, and a field a user rule already rewrote (e.g. with `hash`) is left
# as that rule made it. Turn it off (rules.presets.secrets: false) only if your own rules scrub.
description: request bodies of login, payment and upload routes; sensitive keys anywhere; every value detector

list:
  - name: request bodies of login, payment and upload routes
    when:
      any:
        - route: ["*login*", "*logout*", "*signin*", "*sign-in*", "*signup*", "*sign-up*",
                  "*register*", "*password*", "*auth*", "*token*", "*session*",
                  "*pay*", "*checkout*", "*card*", "*billing*", "*upload*"]
        - url: ["*login*", "*logout*", "*signin*", "*sign-in*", "*signup*", "*sign-up*",
                "*register*", "*password*", "*auth*", "*token*", "*session*",
                "*pay*", "*checkout*", "*card*", "*billing*", "*upload*"]
    drop-body: true

  # Sentry wants an address or nothing in user.ip_address; "[Filtered]" there is an error.
  - name: the user's IP address
    when:
      has: user.ip_address
    scrub:
      paths:
        - user.ip_address
      method: remove

  - name: sensitive keys and values
    scrub:
      # Every cookie value is masked (the Cookie and Set-Cookie headers by the `cookie` key
      # pattern, each value of the parsed cookie table by this path, which keeps the table an
      # object as Sentry's schema wants): cookie names do not reliably say which one is a
      # credential (connect.sid, _app_s, remember_me...).
      paths:
        - request.cookies.*
      # Key patterns: RE2, case-insensitive, matching anywhere in the key name (so `token` also
      # covers access_token and csrftoken, `cookie` covers set-cookie and cookies, `card` covers
      # cardNumber). A matching key has its whole value masked; so does the value after a
      # matching name in a [name, value] pair, in a flat rawHeaders list, in a {name, value}
      # object and after a command-line option (`--token v`). In text, `name=value` and
      # `"name": "value"` pairs with a matching name have their value masked. (Anchors only at
      # the ends of a pattern: the quick test for names in text drops those, and gives up on
      # anchors anywhere else.)
      keys:
        # English, and the short forms in configuration and environment variables.
        - password
        - passwd
        - pwd$                     # MYSQL_PWD, db_pwd (and `pwd`, the working directory)
        - "^pw$"                   # pw, db_pw, pw_hash; not pwa or npw...
        - "^pw[-_.]"
        - "[-_.]pw$"
        - "^pass$"                 # pass, db_pass, SMTP_PASS; not bypass or compass
        - "[-_.]pass$"
        - passphrase
        - passcode
        - secret                   # client_secret, aws_secret_access_key, secretKey
        - token
        - bearer
        - "api[-_]?key"
        - "access[-_]?key"
        - "private[-_]?key"
        - "(encryption|signing|master|hmac|consumer)[-_]?key"
        - authorization
        - "^auth$"
        - credential
        - cookie
        - session
        - "^sid$"
        - csrf
        - xsrf
        - "^jwt$"
        - cvv
        - cvc
        - "^csc$"
        - card
        - "^pan$"
        - "^pin$"
        - "^otp$"
        - "^ssn$"
        # "Password" in other languages (whole words, or substrings no English key contains).
        - passwort                 # de
        - kennwort                 # de
        - "contrase(n|ñ)a"         # es
        - "mot[-_ ]?de[-_ ]?passe" # fr
        - "^mdp$"                  # fr
        - senha                    # pt
        - wachtwoord               # nl
        - "l(o|ö)senord"           # sv
        - passord                  # no, da
        - adgangskode              # da
        - salasana                 # fi
        - "^has(l|ł)o$"            # pl (hasLogo and hasLoaded are not)
        - "^heslo$"                # cs, sk
        - "^parola$"               # it, ro, tr
        - "şifre|sifre"            # tr
        - пароль                   # ru, uk
        - 密码                     # zh
        - パスワード               # ja
        - 비밀번호                 # ko
        # Where a client's address identifies a person. Addresses in messages (connect
        # ECONNREFUSED 10.0.3.7:5432) are the servers' and are kept.
        - "forwarded[-_]?for"      # X-Forwarded-For
        - "^forwarded$"
        - "real[-_]?ip"            # X-Real-IP
        - "connecting[-_]?ip"      # CF-Connecting-IP
        - "true[-_]?client[-_]?ip"
        - "client[-_]?ip"
        - "remote[-_]?addr"        # remoteAddress, REMOTE_ADDR
        - "remote[-_]?ip"
        - "ip[-_]?addr"            # ip_address, ipAddress
        - "^ips?$"                 # Express's req.ip and req.ips
      # Value detectors: run over every string that scrubbing may touch, and over data keys
      # ({"byEmail": {"a@b.co": 3}} becomes {"byEmail": {"[email]": 3}}). @ip is not among them:
      # the addresses in error messages are the servers' (the client's address is masked by the
      # key patterns above).
      detectors:
        - "@email"
        - "@creditcard"
        - "@jwt"
        - "@bearer"
        - "@basic-auth"
        - "@iban"
        - "@url-userinfo"
        - "@query-secrets"
        - "@private-key"
        - "@github-token"
        - "@stripe-key"
        - "@aws-key"
        - "@slack-token"
        - "@google-api-key"
        - "@npm-token"
        - "@text-secrets"
      method: mask
)faultline_preset";

extern const std::string_view kExpressNoise;
const std::string_view kExpressNoise = R"faultline_preset(# Preset "express-noise" (on by default): events nobody wants to be woken for.
#
# Health checks and probes, bots and scanners that got a 4xx or asked for a scanner's path,
# clients that hung up, and 4xx responses — the client's mistake, not the service's — even when
# the app logged them at error level. It runs first, so dropped events cost no scrubbing.
description: health checks, bots and probes (4xx and scanner paths; the rest tagged client.bot), client disconnects, 4xx responses

list:
  - name: health checks
    when:
      any:
        - url: ["/health", "/health/*", "/healthz", "/healthcheck", "/ready", "/readyz",
                "/live", "/livez", "/ping", "/status"]
        - route: ["/health", "/health/*", "/healthz", "/healthcheck", "/ready", "/readyz",
                  "/live", "/livez", "/ping", "/status"]
    drop: health check

  # A crawler that finds a server bug has still found a server bug: bot and probe traffic is
  # dropped only when the app answered 4xx or the path is one only scanners ask for; a 5xx is
  # kept and tagged client.bot.
  - name: bots and probes
    when:
      header:
        user-agent: &bots "(?i)(bot\\b|crawl|spider|slurp|kube-probe|ELB-HealthChecker|GoogleHC|Pingdom|UptimeRobot|StatusCake|facebookexternalhit|HeadlessChrome)"
      any:
        - status: 4xx
        # Paths only scanners ask a Node API for.
        - url: ["*.php", "*.php/*", "*.asp", "*.aspx", "*.jsp", "*.cgi", "/wp-*", "*/wp-admin*",
                "*/wp-login*", "*/wp-content/*", "*/wp-includes/*", "*/.env", "*/.env.*",
                "*/.git/*", "*/.aws/*", "*/.ssh/*", "*/.DS_Store", "/cgi-bin/*", "*/phpmyadmin*",
                "*/phpMyAdmin*", "/boaform/*", "/HNAP1*", "/actuator*", "/solr/*", "/owa/*",
                "/autodiscover/*", "/server-status*"]
    drop: bot or probe traffic

  - name: bots and probes, the rest tagged
    when:
      header:
        user-agent: *bots
    tag:
      client.bot: "true"

  # ECONNRESET alone is not a client disconnect: a database or Redis connection reset is a real
  # failure. Node's own "aborted" error (code ECONNRESET) and "request aborted" are.
  - name: client disconnects
    when:
      any:
        - message: "(?i)^request aborted$"
        - error-code: ECONNABORTED
        - all:
            - error-code: ECONNRESET
            - message: "^aborted$"
    drop: client disconnected

  - name: 4xx client errors
    when:
      status: 4xx
    drop: client error (4xx)
)faultline_preset";

extern const std::string_view kAreas;
const std::string_view kAreas = R"faultline_preset(# Preset "areas" (off by default): a tag `area` that says which part of the product failed, so
# alerts can be routed to the team that owns it. Later rules win, so jobs beats a route.
description: tag area=payments, auth, uploads or jobs from the route, URL or queue

list:
  - name: payments
    when:
      any:
        - route: ["/api/pay*", "*/payment*", "*/checkout*", "*/billing*", "*/invoice*", "*/refund*"]
        - url: ["/api/pay*", "*/payment*", "*/checkout*", "*/billing*", "*/invoice*", "*/refund*"]
    tag:
      area: payments

  - name: auth
    when:
      any:
        - route: ["*/login*", "*/logout*", "*/auth*", "*/oauth*", "*/session*", "*/signin*",
                  "*/signup*", "*/register*", "*/password*", "*/token*"]
        - url: ["*/login*", "*/logout*", "*/auth*", "*/oauth*", "*/session*", "*/signin*",
                "*/signup*", "*/register*", "*/password*", "*/token*"]
    tag:
      area: auth

  - name: uploads
    when:
      any:
        - route: ["*/upload*", "*/files*", "*/attachments*"]
        - url: ["*/upload*", "*/files*", "*/attachments*"]
    tag:
      area: uploads

  - name: jobs
    when:
      has: tags.queue
    tag:
      area: jobs
)faultline_preset";

extern const std::string_view kGroupByRoute;
const std::string_view kGroupByRoute = R"faultline_preset(# Preset "group-by-route" (off by default): one issue per route, error class and release, instead
# of Sentry's stack-based grouping. Useful when many routes share one error handler (every
# ValidationError looks the same from the stack). Events without a route keep the default.
description: fingerprint = route + error type + release

list:
  - name: route, error type and release
    when:
      route: "*"
    fingerprint: ["{{ route }}", "{{ error.type }}", "{{ release }}"]
)faultline_preset";

}  // namespace faultline::rules::embedded
// clang-format on
