using System.Net;
using System.Net.Http.Json;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Tests.Infrastructure;
using Npgsql;

namespace ClaimTracker.Api.Tests.Http;

/// <summary>The API on its own database, reached through a <see cref="DatabaseLink"/> that the tests cut and restore.</summary>
public class UnreliableDatabaseApp : ClaimTrackerApp
{
    /// <summary>How many connection attempts the link turns away when the API starts (the database is not up yet).</summary>
    protected virtual int RefusedAtStart => 0;

    private DatabaseLink? _link;

    public DatabaseLink Link => _link ?? throw new InvalidOperationException("Not initialised.");

    protected override async Task<string> CreateDatabaseAsync()
    {
        var direct = new NpgsqlConnectionStringBuilder(await PostgresServer.Current.CreateDatabaseAsync());
        _link = new DatabaseLink(new IPEndPoint(IPAddress.Parse(direct.Host!), direct.Port));
        if (RefusedAtStart > 0) _link.CutFor(RefusedAtStart);
        return new NpgsqlConnectionStringBuilder(direct.ConnectionString) { Port = _link.Port }.ConnectionString;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_link is not null) await _link.DisposeAsync();
    }
}

/// <summary>The API started before its database answers: the first three connection attempts are turned away.</summary>
public sealed class LateDatabaseApp : UnreliableDatabaseApp
{
    public const int Refused = 3;

    protected override int RefusedAtStart => Refused;
}

public sealed class LateDatabaseTests(LateDatabaseApp app) : IClassFixture<LateDatabaseApp>
{
    [Fact]
    public async Task StartedBeforeItsDatabaseAnswersTheApiWaitsForItInsteadOfCrashing()
    {
        // The fixture started the host; had start-up not waited, that would have thrown and no test would run.
        Assert.Equal(LateDatabaseApp.Refused, app.Link.Refused);
        var page = await app.GetJsonAsync<Api.Http.Page<Api.Claims.ClaimResponse>>("/api/v1/claims");
        Assert.NotEmpty(page.Items);
    }
}

public sealed class DatabaseUnavailableTests(UnreliableDatabaseApp app) : IClassFixture<UnreliableDatabaseApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WhileTheDatabaseCannotBeReachedItsEndpointsAre503WithRetryAfterAndTheyRecoverWhenItIsBack()
    {
        using var editor = await app.CreateClientAsync(Role.Editor);
        using var reader = app.CreateClient();
        var entitiesBefore = await CountEntitiesAsync();

        app.Link.Cut();
        try
        {
            foreach (var request in new Func<Task<HttpResponseMessage>>[]
                     {
                         () => reader.GetAsync("/api/v1/claims", Ct),
                         () => reader.GetAsync("/api/v1/claims/bytedance-ai-chips-budget-2025", Ct),
                         () => editor.PostAsJsonAsync("/api/v1/entities", new { slug = "cut-off", name = "Cut Off", kind = "organization" }, Ct),
                         () => reader.GetAsync("/api/v1/changes/verify", Ct),
                     })
            {
                using var response = await request();
                var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable);
                Assert.Equal("/problems/database-unavailable", problem.GetProperty("type").GetString());
                Assert.Equal("Database unavailable", problem.GetProperty("title").GetString());
                Assert.Equal("5", response.Headers.RetryAfter?.ToString());
                var body = await response.Content.ReadAsStringAsync(Ct);
                Assert.DoesNotContain("Npgsql", body);
                Assert.DoesNotContain("127.0.0.1", body);
            }
            using var ready = await reader.GetAsync("/health/ready", Ct);
            using var live = await reader.GetAsync("/health/live", Ct);
            Assert.Equal((HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK), (ready.StatusCode, live.StatusCode));
        }
        finally
        {
            app.Link.Restore();
        }

        // Back: connections the cut broke are dropped as they are found, each costing at most one more 503.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 50 && statuses.LastOrDefault() != HttpStatusCode.OK; i++)
        {
            using var response = await reader.GetAsync("/api/v1/claims", Ct);
            statuses.Add(response.StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, statuses.Last());
        Assert.All(statuses.SkipLast(1), s => Assert.Equal(HttpStatusCode.ServiceUnavailable, s));
        Assert.Equal(entitiesBefore, await CountEntitiesAsync());
    }

    /// <summary>On a connection of its own: the cut also broke the connections pooled on this side.</summary>
    private async Task<long> CountEntitiesAsync()
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(app.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM entities", connection);
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }
}
