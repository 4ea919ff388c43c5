using ClaimTracker.Api.Tests.Infrastructure;

namespace ClaimTracker.Api.Tests.Http;

/// <summary>
/// A bad setting stops the real process at start-up with one line naming it and exit code 1, before any database is
/// touched (the API run as built, <see cref="ApiProcess"/>).
/// </summary>
public sealed class SettingsValidationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Http__MaxRequestBodyBytes", "0", "Http:MaxRequestBodyBytes must be at least 1.")]
    [InlineData("Http__MaxRequestBodyBytes", "a lot", "'a lot' at 'Http:MaxRequestBodyBytes'")]
    [InlineData("RateLimiting__PermitsPerMinute", "0", "RateLimiting:PermitsPerMinute must be at least 1.")]
    [InlineData("ChangeStream__HeartbeatSeconds", "7200", "ChangeStream:HeartbeatSeconds must be 1–3600.")]
    [InlineData("Search__StatementTimeoutMs", "-5", "Search:StatementTimeoutMs must be at least 1.")]
    [InlineData("ClaimReview__ClaimUrlTemplate", "claims/{slug}", "ClaimReview:ClaimUrlTemplate must be an absolute URL")]
    [InlineData("Auth__BootstrapAdminKey", "too-short", "Auth:BootstrapAdminKey must be at least 20 characters.")]
    [InlineData("Database__StartupTimeoutSeconds", "0", "Database:StartupTimeoutSeconds must be 1–3600.")]
    [InlineData("Database__MaxReplicaLagSeconds", "0", "Database:MaxReplicaLagSeconds must be 1–3600.")]
    [InlineData("ConnectionStrings__ClaimTrackerReplica", "Host=replica;Port=many", "ConnectionStrings:ClaimTrackerReplica must be an Npgsql connection string")]
    [InlineData("ConnectionStrings__ClaimTrackerReplica", "Hots=replica", "ConnectionStrings:ClaimTrackerReplica must be an Npgsql connection string")]
    [InlineData("LocalDatabase__RestartTimeoutSeconds", "99999", "LocalDatabase:RestartTimeoutSeconds must be 1–3600.")]
    [InlineData("Seed__Enabled", "maybe", "'maybe' at 'Seed:Enabled'")]
    public async Task ABadSettingStopsStartUpWithOneLineNamingIt(string variable, string value, string message)
    {
        var (exitCode, output) = await RunApiAsync(new() { [variable] = value });

        Assert.Equal(1, exitCode);
        var line = Assert.Single(output.Split('\n'), l => l.Contains("Invalid configuration:", StringComparison.Ordinal));
        Assert.Contains(message, line);
        Assert.DoesNotContain("   at ", output); // no stack trace
        // Stopped before reaching for the database: its logger never spoke, nor did the line that names a failed database.
        Assert.DoesNotContain("ClaimTracker.Database", output);
        Assert.DoesNotContain("Cannot use the database", output);
    }

    [Fact]
    public async Task EveryBadSettingIsNamedAtOnce()
    {
        var (exitCode, output) = await RunApiAsync(new() { ["Search__StatementTimeoutMs"] = "0", ["RateLimiting__AnonymousPermitsPerMinute"] = "0" });

        Assert.Equal(1, exitCode);
        Assert.Contains("Search:StatementTimeoutMs", output);
        Assert.Contains("RateLimiting:AnonymousPermitsPerMinute", output);
    }

    private static async Task<(int ExitCode, string Output)> RunApiAsync(Dictionary<string, string> settings)
    {
        // Were validation skipped, this database (nothing listens on port 1) would fail within a second, naming the database.
        settings.TryAdd("ConnectionStrings__ClaimTracker", "Host=127.0.0.1;Port=1;Username=nobody;Database=nothing");
        settings.TryAdd("Database__StartupTimeoutSeconds", "1");
        await using var api = ApiProcess.Start(settings);
        return (await api.ExitCodeAsync(TimeSpan.FromSeconds(60), Ct), api.Output);
    }
}
