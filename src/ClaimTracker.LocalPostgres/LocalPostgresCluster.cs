using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace ClaimTracker.LocalPostgres;

/// <summary>
/// A private PostgreSQL cluster started from the binaries installed on this machine:
/// the API's embedded default for `dotnet run`, and the throwaway server of the tests.
/// Works as root by running initdb and pg_ctl as the `postgres` system user.
/// </summary>
public sealed class LocalPostgresCluster : IAsyncDisposable
{
    private readonly string _binDirectory;
    private readonly bool _stopOnDispose;
    private bool _stopped;

    private LocalPostgresCluster(string dataDirectory, string binDirectory, int port, bool reused, bool stopOnDispose, bool durable)
    {
        DataDirectory = dataDirectory;
        _binDirectory = binDirectory;
        Port = port;
        Reused = reused;
        _stopOnDispose = stopOnDispose;
        Durable = durable;
    }

    /// <summary>The cluster's data folder.</summary>
    public string DataDirectory { get; }

    /// <summary>The TCP port the server listens on, on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>True when a server already running on this data folder was adopted.</summary>
    public bool Reused { get; }

    /// <summary>
    /// True when every commit is flushed to disk before it is acknowledged (PostgreSQL's defaults: `fsync`,
    /// `synchronous_commit` and `full_page_writes` on), so that a power cut loses nothing that was acknowledged.
    /// </summary>
    public bool Durable { get; }

    /// <summary>
    /// True while the server's postmaster runs: the process named in `postmaster.pid` is alive. False once it has been
    /// stopped or killed (a stale pid file left by `kill -9` names a dead process).
    /// </summary>
    public bool IsRunning => RunningPid(DataDirectory) is { } pid && ProcessIsAlive(pid);

    /// <summary>A connection string to <paramref name="database"/> as the `postgres` superuser.</summary>
    public string ConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = "postgres",
            Database = database,
        }.ConnectionString;

    /// <summary>
    /// Starts (initialising first when the folder is empty) a cluster in <paramref name="dataDirectory"/>.
    /// A server already running there is reused, unless it runs without the durability asked for: then it is restarted
    /// with it. A <paramref name="durable"/> cluster keeps PostgreSQL's crash-safe defaults; a throwaway one (tests,
    /// benchmarks) skips the flushes to disk, which a power cut would make it lose. Throws
    /// <see cref="LocalPostgresException"/> with the fix when PostgreSQL is not installed or cannot start.
    /// </summary>
    public static async Task<LocalPostgresCluster> StartAsync(
        string dataDirectory, bool stopOnDispose = true, bool durable = true, CancellationToken cancellationToken = default)
    {
        var bin = FindBinDirectory();
        dataDirectory = Path.GetFullPath(dataDirectory);
        var runAsPostgres = RunAsPostgres;

        if (await AdoptAsync(dataDirectory, bin, stopOnDispose, durable, cancellationToken) is { } running) return running;

        if (runAsPostgres && !await PostgresCanReachAsync(Path.GetDirectoryName(dataDirectory)!, cancellationToken))
        {
            dataDirectory = Relocate(dataDirectory);
            if (await AdoptAsync(dataDirectory, bin, stopOnDispose, durable, cancellationToken) is { } relocated) return relocated;
        }

        Directory.CreateDirectory(dataDirectory);
        if (runAsPostgres)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", dataDirectory], asPostgres: false, cancellationToken);
        }

        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            // A durable cluster's initdb flushes its files before returning (`--no-sync` would leave them to the OS).
            string[] initdb = ["-D", dataDirectory, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"];
            await RunAsync(Path.Combine(bin, "initdb"), durable ? initdb : [.. initdb, "--no-sync"], runAsPostgres, cancellationToken);
        }

        var cluster = new LocalPostgresCluster(dataDirectory, bin, FreePort(), reused: false, stopOnDispose, durable);
        await cluster.StartServerAsync(cancellationToken);
        return cluster;
    }

    /// <summary>
    /// Starts a hot standby of <paramref name="primary"/> in the empty or missing folder <paramref name="dataDirectory"/>:
    /// `pg_basebackup -R` copies the primary over a replication connection (initdb's pg_hba admits those from loopback)
    /// and writes the settings that make the copy stream the primary's WAL from then on. With a positive
    /// <paramref name="applyDelay"/>, each commit is replayed that long after the primary made it (`recovery_min_apply_delay`,
    /// set with ALTER SYSTEM, so that it can be changed while the standby runs): a replica that lags on purpose.
    /// </summary>
    public static async Task<LocalPostgresCluster> StartReplicaAsync(
        LocalPostgresCluster primary, string dataDirectory, TimeSpan applyDelay = default, CancellationToken cancellationToken = default)
    {
        dataDirectory = Path.GetFullPath(dataDirectory);
        var runAsPostgres = RunAsPostgres;
        Directory.CreateDirectory(dataDirectory);
        if (runAsPostgres) await RunAsync("chown", ["postgres:postgres", dataDirectory], asPostgres: false, cancellationToken);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // A fast checkpoint starts the copy at once (a spread one could take minutes on an idle primary).
        string[] backup = ["-D", dataDirectory, "-h", "127.0.0.1", "-p", primary.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-U", "postgres", "-X", "stream", "-R", "--checkpoint=fast"];
        await RunAsync(Path.Combine(primary._binDirectory, "pg_basebackup"), primary.Durable ? backup : [.. backup, "--no-sync"],
            runAsPostgres, cancellationToken);

        var replica = new LocalPostgresCluster(dataDirectory, primary._binDirectory, FreePort(), reused: false, stopOnDispose: true, primary.Durable);
        await replica.StartServerAsync(cancellationToken);
        if (applyDelay > TimeSpan.Zero) await replica.SetApplyDelayAsync(applyDelay, cancellationToken);
        return replica;
    }

    /// <summary>On a standby, how long after the primary's commit each commit is replayed (zero: as soon as it arrives).</summary>
    public async Task SetApplyDelayAsync(TimeSpan applyDelay, CancellationToken cancellationToken = default)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString()) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        var milliseconds = ((long)applyDelay.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        // ALTER SYSTEM takes no parameters; the value is a number we formatted.
        await using (var alter = new NpgsqlCommand($"ALTER SYSTEM SET recovery_min_apply_delay = '{milliseconds}ms'", connection))
        {
            await alter.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var reload = new NpgsqlCommand("SELECT pg_reload_conf()", connection);
        await reload.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Starts the server again on the same folder and port after it stopped or died (the connection strings handed out
    /// stay valid). Throws <see cref="LocalPostgresException"/> when it cannot start yet, e.g. while the killed server's
    /// backends still hold its shared memory, or when its port has been taken meanwhile.
    /// </summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        if (IsRunning) return;
        await StartServerAsync(cancellationToken);
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        var logFile = Path.Combine(DataDirectory, "server.log");
        // No Unix socket: paths can exceed the 107-byte limit, and TCP on loopback is all we need.
        var options = $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200";
        if (!Durable) options += " -c fsync=off";
        await RunAsync(Path.Combine(_binDirectory, "pg_ctl"),
            ["start", "-D", DataDirectory, "-l", logFile, "-w", "-t", "60", "-o", options],
            RunAsPostgres, cancellationToken);
        _stopped = false;
    }

    /// <summary>
    /// The server already running on <paramref name="dataDirectory"/>, if any. One running with `fsync` off when a durable
    /// cluster is wanted (left by a throwaway run, or by an older version of this launcher) is stopped, to be started afresh.
    /// </summary>
    private static async Task<LocalPostgresCluster?> AdoptAsync(
        string dataDirectory, string bin, bool stopOnDispose, bool durable, CancellationToken cancellationToken)
    {
        if (RunningPort(dataDirectory) is not { } port || await FsyncAsync(port, cancellationToken) is not { } fsync) return null;
        var running = new LocalPostgresCluster(dataDirectory, bin, port, reused: true, stopOnDispose, durable: fsync);
        if (fsync || !durable) return running;
        await running.StopAsync();
        return null;
    }
    /// <summary>Creates <paramref name="database"/>, optionally as a copy of <paramref name="template"/>.</summary>
    public async Task CreateDatabaseAsync(string database, string? template = null, CancellationToken cancellationToken = default)
    {
        // Pooling off: a pooled idle connection to the template would make CREATE DATABASE … TEMPLATE fail.
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString()) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        var sql = template is null
            ? $"CREATE DATABASE \"{database}\""
            : $"CREATE DATABASE \"{database}\" TEMPLATE \"{template}\"";
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>True when <paramref name="database"/> exists.</summary>
    public async Task<bool> DatabaseExistsAsync(string database, CancellationToken cancellationToken = default)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString()) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection);
        command.Parameters.AddWithValue(database);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    /// <summary>Stops the server (fast shutdown). A server already gone (stopped or killed) leaves nothing to do.</summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        NpgsqlConnection.ClearAllPools();
        if (!IsRunning) return;
        try
        {
            await RunAsync(Path.Combine(_binDirectory, "pg_ctl"), ["stop", "-D", DataDirectory, "-m", "fast", "-w"],
                RunAsPostgres, CancellationToken.None);
        }
        catch (LocalPostgresException) when (!IsRunning)
        {
            // It died while we were stopping it: stopped all the same.
        }
    }

    /// <summary>Stops the server if this instance started it; a server it merely reused may still serve another process.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopOnDispose && !Reused) await StopAsync();
    }

    /// <summary>
    /// The folder holding initdb, pg_ctl and postgres: `LOCAL_POSTGRES_BIN` when set, else the newest
    /// /usr/lib/postgresql/N/bin, else a folder on PATH.
    /// </summary>
    public static string FindBinDirectory()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("LOCAL_POSTGRES_BIN") is { Length: > 0 } configured)
        {
            candidates.Add(configured);
        }
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        }
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator));
        candidates.AddRange(["/usr/local/pgsql/bin", "/opt/homebrew/bin", "/usr/local/bin"]);

        return candidates.FirstOrDefault(d => d.Length > 0
                   && File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
               ?? throw new LocalPostgresException(
                   "No PostgreSQL server binaries (initdb, pg_ctl) were found. Install PostgreSQL " +
                   "(Debian/Ubuntu: `apt-get install postgresql`), or run `docker compose up`, or point the API at " +
                   "an existing database with the environment variable ConnectionStrings__ClaimTracker. " +
                   "Binaries in another folder can be named with LOCAL_POSTGRES_BIN.");
    }

    /// <summary>
    /// The `postgres` user cannot reach folders under a private home (e.g. /root/…). Such a cluster lives in
    /// /var/lib/claimtracker/&lt;hash of the requested path&gt;/postgres instead (stable across runs), and the requested
    /// path becomes a symbolic link to it, so the data is still found where the configuration says.
    /// </summary>
    private static string Relocate(string requested)
    {
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(requested)))[..16];
        var root = "/var/lib/claimtracker";
        Directory.CreateDirectory(root);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                                   | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var relocated = Path.Combine(root, hash, "postgres");
        Directory.CreateDirectory(Path.GetDirectoryName(requested)!);
        if (!Path.Exists(requested)) Directory.CreateSymbolicLink(requested, relocated);
        return relocated;
    }

    private static async Task<bool> PostgresCanReachAsync(string directory, CancellationToken cancellationToken)
    {
        // The nearest existing ancestor must be searchable by `postgres` (the folders below it are created by us).
        while (!Directory.Exists(directory) && Path.GetDirectoryName(directory) is { } parent) directory = parent;
        try
        {
            await RunAsync("test", ["-x", directory], asPostgres: true, cancellationToken);
            return true;
        }
        catch (LocalPostgresException)
        {
            return false;
        }
    }

    private static bool RunAsPostgres => Environment.UserName == "root" || Environment.IsPrivilegedProcess;

    // postmaster.pid: line 1 the postmaster's pid, line 4 its port.
    private static int? RunningPid(string dataDirectory) => PidFileLine(dataDirectory, 0);

    private static int? RunningPort(string dataDirectory) => PidFileLine(dataDirectory, 3);

    private static int? PidFileLine(string dataDirectory, int line)
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        try
        {
            var lines = File.ReadAllLines(pidFile);
            return lines.Length > line && int.TryParse(lines[line].Trim(), out var value) ? value : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // no pid file (stopped), or one being rewritten
        }
    }

    private static bool ProcessIsAlive(int pid)
    {
        // On Linux a killed postmaster may linger as a zombie until its parent reaps it: alive only if not `Z`.
        var stat = $"/proc/{pid}/stat";
        if (OperatingSystem.IsLinux())
        {
            try
            {
                var text = File.ReadAllText(stat);
                return text.Length > text.LastIndexOf(')') + 2 && text[text.LastIndexOf(')') + 2] != 'Z';
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>`SHOW fsync` on the server at <paramref name="port"/>, or null when nothing answers there.</summary>
    private static async Task<bool?> FsyncAsync(int port, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = port, Username = "postgres", Database = "postgres", Pooling = false, Timeout = 3,
        };
        try
        {
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SHOW fsync", connection);
            return await command.ExecuteScalarAsync(cancellationToken) is "on";
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            return null;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, bool asPostgres, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The server must not inherit our working directory: postgres may be unable to read it.
            WorkingDirectory = "/",
        };
        if (asPostgres)
        {
            start.FileName = "runuser";
            foreach (var a in (string[])["-u", "postgres", "--", program]) start.ArgumentList.Add(a);
        }
        else
        {
            start.FileName = program;
        }
        foreach (var a in arguments) start.ArgumentList.Add(a);

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new LocalPostgresException($"Could not run {start.FileName}: {e.Message}", e);
        }
        // pg_ctl's server inherits the pipes; read to the end of what pg_ctl itself prints, not the server.
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            var hint = asPostgres ? " (run as the `postgres` system user; it must be able to reach the data folder)" : "";
            throw new LocalPostgresException(
                $"`{Path.GetFileName(program)} {string.Join(' ', arguments)}` failed with exit code {process.ExitCode}{hint}:\n" +
                await stderr + await stdout);
        }
    }
}

/// <summary>The local PostgreSQL could not be found or started; the message names the fix.</summary>
public sealed class LocalPostgresException(string message, Exception? inner = null) : Exception(message, inner);
