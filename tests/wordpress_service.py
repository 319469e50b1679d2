"""A real, throw-away WordPress on 127.0.0.1 for the service tests.

``LocalWordPress(workdir).start()`` builds a fresh site under ``workdir`` in a few seconds:

* a private MariaDB server (``mariadb-install-db`` + ``mariadbd``) whose data directory and
  Unix socket live in the work directory; ``--skip-networking`` means it opens no TCP port;
* Debian's WordPress (``/usr/share/wordpress``) served by PHP's built-in web server
  (``php -S 127.0.0.1:PORT``) on a free port of the loopback interface only;
* an install script that creates the database and its user, runs ``wp_install()`` and makes an
  Application Password for the site's user, so tests talk to the REST API exactly as opendeur
  does: HTTP Basic auth with ``(user, app_password)``.

Why a per-run document root and not only a router that defines the config constants: Debian
replaces ``wp-config.php`` with one that reads ``/etc/wordpress/config-<host>.php`` (404 when it
is missing), and ``wp-load.php`` requires ``ABSPATH . 'wp-config.php'`` with ``ABSPATH`` taken
from its own ``__DIR__``. A test run should not write into ``/etc``, so ``workdir/site`` gets its
own ``wp-config.php`` and a writable ``wp-content`` (uploads, a mu-plugin), and mirrors the rest
of ``/usr/share/wordpress``. PHP resolves symlinks in ``__DIR__``, so a symlinked entry point
(``index.php``, ``wp-admin/admin.php``, ...) would find ``/usr/share/wordpress/wp-load.php`` and
Debian's config again; the mirror therefore *copies* the 250 small PHP files outside
``wp-includes`` (about 5 MB) and symlinks everything else, ``wp-includes`` included (WordPress
loads it through ``ABSPATH``). Defining ``ABSPATH`` in the router instead was tried: the REST API
works, but ``wp-cron.php`` and others take a defined ``ABSPATH`` to mean "WordPress is loaded".

The router also plays the part of Apache's ``.htaccess``: existing files (uploads, CSS, PHP
entry points) are served as they are, every other path goes to ``index.php``. With the
``/%postname%/`` permalinks the install script sets, ``/wp-json/...`` then works as on a real
site (``/?rest_route=...`` works too).

No traffic leaves the machine: ``WP_HTTP_BLOCK_EXTERNAL`` stops WordPress's HTTP API from
reaching other hosts (update checks, oEmbed, pings), ``DISABLE_WP_CRON`` and
``AUTOMATIC_UPDATER_DISABLED`` stop background jobs, a mu-plugin drops all mail, and the install
script refuses every HTTP request (``wp_install()`` would otherwise probe its own permalinks
with a loopback request). ``WP_ENVIRONMENT_TYPE`` is ``local`` because WordPress only offers
Application Passwords over plain http on local sites.

Every ``start()`` gives a fresh site (WordPress's "Hello world!" post, no theme: Debian only
recommends one, so pages render blank while the REST API is complete). ``stop()`` signals each
server's process group and waits; a ``weakref.finalize`` does the same at interpreter exit.

Debian packages: ``wordpress php-cli php-mysql`` and ``mariadb-server`` or just
``mariadb-server-core`` (``mariadbd`` and ``mariadb-install-db``, without the system service).
``wordpress`` pulls in ``php-gd`` for image sizes. Everything runs as the current user; as root,
``mariadbd`` needs ``--user=root``, which is passed either way.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import weakref
from collections.abc import Collection
from pathlib import Path
from types import TracebackType

WORDPRESS_DIR = Path("/usr/share/wordpress")
# Debian keeps mariadbd in /usr/sbin, which a normal user's PATH may lack.
_SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])
# AF_UNIX socket paths are limited to 108 bytes; deep pytest tmp_paths can exceed that.
_MAX_SOCKET_PATH = 100
_PHP_WORKERS = "4"  # php -S answers one request at a time without workers
_DB_NAME = "wordpress"
_DB_USER = "wordpress"
_LOG_TAIL_LINES = 25

_MARIADB_OPTIONS = [
    "--innodb-log-file-size=4M",  # the default 96 MiB redo log makes every run write 100 MiB
    "--innodb-buffer-pool-size=32M",
    "--character-set-server=utf8mb4",
    "--collation-server=utf8mb4_unicode_ci",
    "--skip-name-resolve",
]
_MARIADB_RUNTIME_OPTIONS = [
    "--skip-networking",  # Unix socket only: no TCP port at all
    "--skip-log-bin",
    "--innodb-flush-log-at-trx-commit=0",  # throw-away data: no fsync per commit
    "--innodb-doublewrite=0",
]


class WordPressUnavailable(RuntimeError):
    """The local WordPress cannot run here: a package is missing or a server did not start."""


def _php_str(value: str) -> str:
    """A PHP single-quoted literal: no ``$`` interpolation, only ``\\`` and ``'`` escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _tail(path: Path, lines: int = _LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"--- {path.name}: (no log)"
    return f"--- {path.name} (last {lines} lines):\n" + "\n".join(text.splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _user_name() -> str:
    # mariadbd refuses to run as root unless told so; naming the current user always works.
    return pwd.getpwuid(os.geteuid()).pw_name


def _socket_accepts(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        try:
            sock.connect(str(path))
        except OSError:
            return False
    return True


# How each server shuts down cleanly. php -S with workers must get SIGINT on its whole group:
# the workers exit and the master reaps them. After SIGTERM the master dies first and its workers
# are left as zombies when PID 1 (as in some containers) does not reap orphans.
_STOP_SIGNALS = {"php": signal.SIGINT, "mariadbd": signal.SIGTERM}


def _stop_processes(processes: dict[str, subprocess.Popen[bytes]], timeout: float = 10) -> None:
    """Stop every process group, newest first (the web server before its database)."""
    for name in reversed(list(processes)):
        process = processes.pop(name)
        # Each server leads its own session, so its group also holds php's worker processes.
        for sig, wait in ((_STOP_SIGNALS.get(name, signal.SIGTERM), timeout), (signal.SIGKILL, 5)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
            try:
                process.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
        # The group may outlive its leader; make sure nothing of it stays.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def _mirror(source: Path, target: Path, skip: Collection[str] = ()) -> None:
    """Copy PHP files, symlink all else; a directory without PHP files becomes one symlink."""
    target.mkdir(parents=True)
    for entry in source.iterdir():
        if entry.name in skip or entry.name.startswith("."):  # .htaccess: an Apache file
            continue
        destination = target / entry.name
        if entry.is_symlink() or not (entry.suffix == ".php" or entry.is_dir()):
            destination.symlink_to(entry)
        elif entry.is_file():
            shutil.copyfile(entry, destination)
        elif any(entry.rglob("*.php")):
            _mirror(entry, destination)
        else:
            destination.symlink_to(entry)


class LocalWordPress:
    """A fresh WordPress site with its own MariaDB, reachable at ``url`` until ``stop()``."""

    def __init__(self, workdir: Path, user: str = "redactie") -> None:
        self.workdir = Path(workdir)
        self.user = user
        self.password = secrets.token_urlsafe(18)  # login password; tests use app_password
        self.url = ""
        self.app_password = ""
        self.port = 0
        self.site_dir = self.workdir / "site"
        self.log_dir = self.workdir / "logs"
        self.data_dir = self.workdir / "mariadb"
        self.socket_path = self.data_dir / "mysql.sock"
        self._db_password = ""
        self._salts: dict[str, str] = {}
        self._short_dir: Path | None = None
        self._processes: dict[str, subprocess.Popen[bytes]] = {}
        # A test that dies without stop() must not leave servers behind when Python exits.
        self._finalizer = weakref.finalize(self, _stop_processes, self._processes)

    # -- public API -----------------------------------------------------------------------

    def start(self) -> LocalWordPress:
        if self._processes:
            raise RuntimeError("this LocalWordPress is already running")
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        _stop_processes(self._processes)
        if self._short_dir is not None:
            shutil.rmtree(self._short_dir, ignore_errors=True)
            self._short_dir = None

    def __enter__(self) -> LocalWordPress:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- start-up steps -------------------------------------------------------------------

    def _start(self) -> None:
        php, install_db, mariadbd = self._find_programs()
        # Every start gives a fresh, empty site; only our own subdirectories are replaced.
        for path in (self.site_dir, self.log_dir, self.data_dir):
            shutil.rmtree(path, ignore_errors=True)
        self.log_dir.mkdir(parents=True)
        self.socket_path = self._socket_path()
        self._db_password = secrets.token_urlsafe(18)
        self._salts = {
            f"{key}_{kind}": secrets.token_hex(32)
            for key in ("AUTH", "SECURE_AUTH", "LOGGED_IN", "NONCE")
            for kind in ("KEY", "SALT")
        }

        self._run(
            [
                install_db,
                "--no-defaults",  # never read /etc/mysql: its socket and datadir are the system's
                f"--datadir={self.data_dir}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                f"--user={_user_name()}",
                *_MARIADB_OPTIONS,
            ],
            "mariadb-install-db.log",
            "creating the MariaDB data directory",
            timeout=60,
        )
        self._spawn(
            "mariadbd",
            [
                mariadbd,
                "--no-defaults",
                f"--datadir={self.data_dir}",
                f"--socket={self.socket_path}",
                f"--pid-file={self.data_dir / 'mariadbd.pid'}",
                f"--log-error={self.log_dir / 'mariadbd.log'}",
                f"--tmpdir={self.data_dir}",
                f"--user={_user_name()}",
                *_MARIADB_OPTIONS,
                *_MARIADB_RUNTIME_OPTIONS,
            ],
            "mariadbd.out",
        )
        # While MariaDB starts, build the document root.
        self.port = _free_port()
        self._write_site()
        self._wait_for_mariadb(timeout=30)

        result = self._run(
            [php, str(self.workdir / "install.php")],
            "install.log",
            "installing WordPress",
            timeout=120,
        )
        try:
            installed = json.loads(result.stdout.strip().splitlines()[-1])
            self.app_password = installed["app_password"]
        except (IndexError, KeyError, ValueError) as error:
            raise WordPressUnavailable(
                f"the WordPress install script gave no Application Password ({error})\n"
                + _tail(self.log_dir / "install.log")
            ) from error

        # The port was free a moment ago; if another process took it since, try a new one.
        for attempt in range(3):
            if attempt:
                self.port = _free_port()
                self._write_config()
            self.url = f"http://127.0.0.1:{self.port}"
            self._spawn(
                "php",
                [
                    php,
                    "-d",
                    "display_errors=0",  # a PHP notice in a JSON answer would break the client
                    "-d",
                    f"error_log={self.log_dir / 'php-errors.log'}",
                    "-S",
                    f"127.0.0.1:{self.port}",
                    "-t",
                    str(self.site_dir),
                    str(self.workdir / "router.php"),
                ],
                "php-server.log",
                env={"PHP_CLI_SERVER_WORKERS": _PHP_WORKERS},
            )
            if self._wait_for_http(timeout=30):
                return
            _stop_processes({"php": self._processes.pop("php")})
            if "Address already in use" not in _tail(self.log_dir / "php-server.log"):
                break
        raise WordPressUnavailable(
            f"PHP's web server did not serve WordPress on {self.url}\n"
            + _tail(self.log_dir / "php-server.log")
            + "\n"
            + _tail(self.log_dir / "php-errors.log")
        )

    def _find_programs(self) -> tuple[str, str, str]:
        found: list[str] = []
        for program, package in (
            ("php", "php-cli"),
            ("mariadb-install-db", "mariadb-server"),
            ("mariadbd", "mariadb-server"),
        ):
            path = shutil.which(program, path=_SEARCH_PATH)
            if path is None:
                raise WordPressUnavailable(
                    f"{program} not found: install Debian's {package} "
                    "(apt-get install wordpress php-cli php-mysql mariadb-server)"
                )
            found.append(path)
        if not (WORDPRESS_DIR / "wp-settings.php").is_file():
            raise WordPressUnavailable(
                f"no WordPress in {WORDPRESS_DIR}: install Debian's wordpress package"
            )
        php, install_db, mariadbd = found
        return php, install_db, mariadbd

    def _socket_path(self) -> Path:
        path = self.data_dir / "mysql.sock"
        if len(str(path)) <= _MAX_SOCKET_PATH:
            return path
        self._short_dir = Path(tempfile.mkdtemp(prefix="wp-db-"))
        return self._short_dir / "mysql.sock"

    def _write_site(self) -> None:
        _mirror(WORDPRESS_DIR, self.site_dir, skip={"wp-config.php", "wp-content", "wp-includes"})
        (self.site_dir / "wp-includes").symlink_to(WORDPRESS_DIR / "wp-includes")
        mu_plugins = self.site_dir / "wp-content" / "mu-plugins"
        (self.site_dir / "wp-content" / "uploads").mkdir(parents=True)
        mu_plugins.mkdir()
        (mu_plugins / "opendeur-test-site.php").write_text(_MU_PLUGIN)
        self._write_config()
        (self.workdir / "router.php").write_text(_ROUTER)
        (self.workdir / "install.php").write_text(
            _INSTALL.replace("{SITE_DIR}", _php_str(str(self.site_dir)))
            .replace("{SOCKET}", _php_str(str(self.socket_path)))
            .replace("{DB_NAME}", _php_str(_DB_NAME))
            .replace("{DB_USER}", _php_str(_DB_USER))
            .replace("{DB_PASSWORD}", _php_str(self._db_password))
            .replace("{USER}", _php_str(self.user))
            .replace("{PASSWORD}", _php_str(self.password))
        )

    def _write_config(self) -> None:
        """wp-config.php; rewritten when the port changes (the URL is in it)."""
        url = f"http://127.0.0.1:{self.port}"
        constants = {
            "DB_NAME": _DB_NAME,
            "DB_USER": _DB_USER,
            "DB_PASSWORD": self._db_password,
            "DB_HOST": f"localhost:{self.socket_path}",
            "DB_CHARSET": "utf8mb4",
            "DB_COLLATE": "",
            "WP_HOME": url,
            "WP_SITEURL": url,
            "WP_CONTENT_DIR": str(self.site_dir / "wp-content"),
            "WP_CONTENT_URL": f"{url}/wp-content",
            "WP_ENVIRONMENT_TYPE": "local",
            "FS_METHOD": "direct",
            **self._salts,
        }
        lines = [
            f"define({_php_str(name)}, {_php_str(value)});" for name, value in constants.items()
        ]
        (self.site_dir / "wp-config.php").write_text(
            _CONFIG.replace("{CONSTANTS}", "\n".join(lines))
        )

    # -- processes ------------------------------------------------------------------------

    def _run(
        self, command: list[str], log_name: str, step: str, timeout: float
    ) -> subprocess.CompletedProcess[str]:
        log = self.log_dir / log_name
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, cwd=self.workdir
            )
        except subprocess.TimeoutExpired as error:
            raise WordPressUnavailable(f"{step} took over {timeout} s: {command}") from error
        log.write_text(f"$ {' '.join(command)}\n{result.stdout}\n{result.stderr}")
        if result.returncode != 0:
            raise WordPressUnavailable(
                f"{step} failed ({Path(command[0]).name} exit {result.returncode})\n" + _tail(log)
            )
        return result

    def _spawn(
        self, name: str, command: list[str], log_name: str, env: dict[str, str] | None = None
    ) -> None:
        with open(self.log_dir / log_name, "ab") as log:
            self._processes[name] = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
                env={**os.environ, **(env or {})},
                # Its own process group, so stop() can signal the server and all its children.
                start_new_session=True,
            )

    def _wait_for_mariadb(self, timeout: float) -> None:
        process = self._processes["mariadbd"]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            # mariadbd creates its socket once it accepts connections.
            if _socket_accepts(self.socket_path):
                return
            time.sleep(0.05)
        raise WordPressUnavailable(
            f"MariaDB did not start (exit code {process.poll()})\n"
            + _tail(self.log_dir / "mariadbd.log")
        )

    def _wait_for_http(self, timeout: float) -> bool:
        """True once /wp-json/ answers 200; False if php exited or time ran out."""
        process = self._processes["php"]
        # No proxy: an http_proxy in the environment must not see requests for 127.0.0.1.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with opener.open(f"{self.url}/wp-json/", timeout=5) as response:
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        return False


_CONFIG = """<?php
// Written by tests/wordpress_service.py for one test run.
{CONSTANTS}
$table_prefix = 'wp_';
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
define('DISABLE_WP_CRON', true);
define('WP_DEBUG', false);
if (!defined('ABSPATH')) {
    define('ABSPATH', __DIR__ . '/');
}
require_once ABSPATH . 'wp-settings.php';
"""

_ROUTER = """<?php
// Router for `php -S`, written by tests/wordpress_service.py: what Apache's .htaccess does for
// WordPress. Existing files (uploads, assets, PHP entry points) are served or run by the
// built-in server itself; every other path goes to the front controller.
$opendeur_path = rawurldecode((string) parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH));
if ($opendeur_path !== '/' && strpos($opendeur_path, '..') === false
    && file_exists($_SERVER['DOCUMENT_ROOT'] . $opendeur_path)) {
    return false;
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['PHP_SELF'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $_SERVER['DOCUMENT_ROOT'] . '/index.php';
unset($_SERVER['PATH_INFO']);
require $_SERVER['DOCUMENT_ROOT'] . '/index.php';
"""

_INSTALL = """<?php
// Install script, written by tests/wordpress_service.py: database, site, Application Password.
// The last line of its output is JSON for the Python side.
if (!extension_loaded('mysqli')) {
    fwrite(STDERR, "PHP has no mysqli extension: install Debian's php-mysql\\n");
    exit(3);
}
$opendeur_db = new mysqli('localhost', 'root', '', '', 0, {SOCKET});
$opendeur_db->query('CREATE DATABASE `' . {DB_NAME} . '` CHARACTER SET utf8mb4');
$opendeur_db->query(sprintf(
    "CREATE USER '%s'@'localhost' IDENTIFIED BY '%s'",
    $opendeur_db->real_escape_string({DB_USER}),
    $opendeur_db->real_escape_string({DB_PASSWORD})
));
$opendeur_db->query(sprintf(
    "GRANT ALL ON `%s`.* TO '%s'@'localhost'",
    {DB_NAME},
    $opendeur_db->real_escape_string({DB_USER})
));
$opendeur_db->close();

define('WP_INSTALLING', true);
$_SERVER['HTTP_HOST'] = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
require {SITE_DIR} . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

// No HTTP at all while installing: wp_install() probes its own permalinks with a request.
add_filter('pre_http_request', function () {
    return new WP_Error('opendeur_offline', 'no HTTP while installing the test site');
});
add_filter('pre_wp_mail', '__return_false');

$opendeur_result = wp_install(
    'opendeur testsite', {USER}, {USER} . '@example.com', false, '', {PASSWORD}
);
// Pretty permalinks, so that /wp-json/ works as on a production site.
$wp_rewrite->set_permalink_structure('/%postname%/');
$wp_rewrite->flush_rules(false);

$opendeur_app = WP_Application_Passwords::create_new_application_password(
    $opendeur_result['user_id'], array('name' => 'opendeur tests')
);
if (is_wp_error($opendeur_app)) {
    fwrite(STDERR, $opendeur_app->get_error_message() . "\\n");
    exit(4);
}
echo "\\n", json_encode(array(
    'user_id' => $opendeur_result['user_id'],
    'app_password' => $opendeur_app[0],
)), "\\n";
"""

_MU_PLUGIN = """<?php
// Written by tests/wordpress_service.py: a test site sends no mail.
add_filter('pre_wp_mail', '__return_false');
"""
