using ClaimTracker.Api.Data;
using ClaimTracker.Api.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClaimTracker.Api.Auth;

/// <summary>Keys outside HTTP: the `keys create` command line verb and the bootstrap admin key at start-up.</summary>
public static class ApiKeyCommands
{
    public const string BootstrapName = "bootstrap-admin";

    /// <summary>True when the arguments name a command (`keys create --name N --role R`) rather than the server.</summary>
    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] == "keys";

    /// <summary>Runs a `keys` command; returns the process exit code.</summary>
    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        if (args is not ["keys", "create", ..] || Option("--name") is not { Length: > 0 } name
            || !EnumWords.TryParse<Role>(Option("--role") ?? "", out var role))
        {
            await Console.Error.WriteLineAsync("usage: dotnet run --project src/ClaimTracker.Api -- keys create --name NAME --role reader|editor|admin");
            return 2;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ClaimTrackerDbContext>();
        var (key, secret) = ApiKeysApi.NewKey(name, role, TimeProvider.System.GetUtcNow());
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync();
        Console.WriteLine($"Created {EnumWords.ToWord(role)} key '{name}' ({key.Id}). It is shown only this once:");
        Console.WriteLine(secret);
        return 0;
    }

    /// <summary>
    /// With `Auth:BootstrapAdminKey` set, makes sure that key exists as an admin key. Otherwise, on the embedded
    /// database's first run (no admin key at all), generates one and logs it once.
    /// </summary>
    public static async Task EnsureBootstrapAdminAsync(WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ClaimTracker.Auth");
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ClaimTrackerDbContext>();
        var configured = app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.BootstrapAdminKey;
        var now = TimeProvider.System.GetUtcNow();
        var embedded = app.Services.GetRequiredService<DatabaseEndpoint>().Embedded is not null;

        if (!string.IsNullOrEmpty(configured))
        {
            var hash = ApiKeyTokens.Hash(configured);
            // ON CONFLICT: several instances may start at once with the same key.
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO api_keys (id, name, role, hash, created_at) VALUES ({Guid.CreateVersion7()}, {BootstrapName}, 'admin', {hash}, {now})
                ON CONFLICT (hash) DO NOTHING
                """);
            logger.LogInformation("Bootstrap admin key from Auth:BootstrapAdminKey is registered.");
            return;
        }

        if (embedded && !await db.ApiKeys.AnyAsync(k => k.Role == Role.Admin))
        {
            var (key, secret) = ApiKeysApi.NewKey(BootstrapName, Role.Admin, now);
            db.ApiKeys.Add(key);
            await db.SaveChangesAsync();
            logger.LogWarning("First run: created an admin API key. It is shown only this once; keep it: {Key}", secret);
        }
    }
}
