using System.Globalization;
using System.Text.Json;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Http;
using ClaimTracker.Benchmarks.Dataset;
using Npgsql;

namespace ClaimTracker.Benchmarks.Measure;

public enum EndpointKind { ClaimById, List, Search, Match, StatusUpdate, Create, StatusWebhooks }

/// <summary>
/// A hot endpoint as measured: GETs name one fixed URL (or cycle over ids); the match POSTs one fixed body to its URL;
/// the status update cycles over claims; the create POSTs a new claim each time (<see cref="Wrk.CreateScript"/>).
/// </summary>
/// <summary>An entity new claims are about, in the create endpoint's requests.</summary>
public sealed record Subject(string Slug, string Name);

public sealed record BenchEndpoint(string Name, string Title, EndpointKind Kind, string? PathAndQuery, string? Pending = null);

/// <summary>
/// What every measurement of one dataset uses: the same claim ids, list filter, deep cursor, search terms and editor
/// key for the database floor, the framework floor and the API. Saved as JSON for the child processes.
/// </summary>
public sealed record Workload(
    string ConnectionString, int Claims, Guid[] Ids, string ListStatus, long ListMatches, string DeepCursor,
    long DeepPosition, bool SearchAvailable, string EditorKey, string MatchText, Subject[] Subjects)
{
    /// <summary>The match request's language: the text is English, and saying so is what a desk's client does.</summary>
    public const string MatchLanguage = "en";

    /// <summary>The JSON body of every match request (the API, both floors and wrk send these very bytes).</summary>
    public string MatchBody => JsonSerializer.Serialize(new { text = MatchText, language = MatchLanguage });

    public const string StatusReason = "Benchmark: status round trip.";

    /// <summary>The status the list endpoints filter on; status updates leave claims of this status alone.</summary>
    public const string ListedStatus = "disputed";

    public IReadOnlyList<BenchEndpoint> Endpoints =>
    [
        new("claim-by-id", "GET /claims/{id} (with appearances)", EndpointKind.ClaimById, null),
        new("list-first", $"GET /claims?status={ListStatus} (first page)", EndpointKind.List, $"/api/v1/claims?status={ListStatus}"),
        new("list-deep", $"GET /claims?status={ListStatus}&cursor=… (row {DeepPosition:N0} of {ListMatches:N0})", EndpointKind.List,
            $"/api/v1/claims?status={ListStatus}&cursor={DeepCursor}"),
        new("search-rare", $"GET /claims?q={Vocabulary.RareTerm} (rare term)", EndpointKind.Search, $"/api/v1/claims?q={Vocabulary.RareTerm}",
            SearchAvailable ? null : "pending: `q` is not in GET /claims yet"),
        new("search-common", $"GET /claims?q={Vocabulary.CommonTerm} (common term)", EndpointKind.Search, $"/api/v1/claims?q={Vocabulary.CommonTerm}",
            SearchAvailable ? null : "pending: `q` is not in GET /claims yet"),
        new("match", "POST /claims/match (20 words)", EndpointKind.Match, "/api/v1/claims/match"),
        new("status-update", "PUT /claims/{id}/status (If-Match)", EndpointKind.StatusUpdate, null),
        new("create", "POST /claims (a new 13-word claim; (b) is the API with the duplicate guard off)", EndpointKind.Create, "/api/v1/claims"),
        new("status-webhooks", $"PUT /claims/{{id}}/status with {WebhookLoad.Subscriptions} webhook subscriptions ((b) is the same API with none)",
            EndpointKind.StatusWebhooks, null),
    ];

    /// <summary>True when GET /claims binds a `q` parameter (full-text search has landed).</summary>
    public static bool HasSearch() => typeof(ClaimListQuery).GetProperty("Q") is not null;

    public static async Task<Workload> PrepareAsync(string connectionString, int claims, CancellationToken cancellationToken)
    {
        await using var connection = await BenchDatabase.OpenAsync(connectionString, cancellationToken);
        var ids = new List<Guid>();
        var percent = Math.Min(100.0, 2_000_000.0 / claims).ToString("0.####", CultureInfo.InvariantCulture);
        await using (var command = new NpgsqlCommand($"SELECT id FROM claims TABLESAMPLE BERNOULLI ({percent}) REPEATABLE (42) LIMIT 10000", connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken)) ids.Add(reader.GetGuid(0));
        }

        const string status = ListedStatus;
        var matches = await BenchDatabase.Scalar<long>(connection, $"SELECT count(*) FROM claims WHERE status = '{status}'", cancellationToken);
        // A real deep page: the cursor the API would issue after walking 90% of the list.
        var position = Math.Max(0, matches * 9 / 10 - 1);
        string cursor;
        await using (var command = new NpgsqlCommand(
            $"SELECT updated_at, id FROM claims WHERE status = '{status}' ORDER BY updated_at DESC, id DESC OFFSET {position} LIMIT 1", connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            var at = reader.GetFieldValue<DateTimeOffset>(0);
            cursor = new Cursor(ClaimSorts.Default, at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), reader.GetGuid(1)).Encode();
        }

        var matchText = await MatchTextAsync(connection, cancellationToken);
        var subjects = new List<Subject>();
        await using (var command = new NpgsqlCommand("SELECT slug, name FROM entities ORDER BY id LIMIT 200", connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken)) subjects.Add(new Subject(reader.GetString(0), reader.GetString(1)));
        }

        await BenchDatabase.Execute(connection, "DELETE FROM api_keys WHERE name = 'bench-editor'", cancellationToken);
        var (key, secret) = ApiKeysApi.NewKey("bench-editor", Role.Editor, DateTimeOffset.UtcNow);
        await using (var command = new NpgsqlCommand("INSERT INTO api_keys (id, name, role, hash, created_at) VALUES ($1, $2, 'editor', $3, now())", connection))
        {
            command.Parameters.AddWithValue(key.Id);
            command.Parameters.AddWithValue(key.Name);
            command.Parameters.AddWithValue(key.Hash);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        return new Workload(connectionString, claims, [.. ids], status, matches, cursor, position + 1, HasSearch(), secret, matchText, [.. subjects]);
    }

    /// <summary>Words in the match text: a desk's sentence, as the issue's target names it.</summary>
    public const int MatchWords = 20;

    /// <summary>
    /// The text the match endpoint is measured with: a reporter's 20-word paraphrase of one generated English amount
    /// claim (the first by id whose subject's name has two words or more, so the same claim run after run), with its
    /// subject and its figure: "{subject} is set to spend around ${n} billion on {the claim's words}, according to people
    /// familiar with the plans". It finds that
    /// claim and its neighbours, and walks the whole verdict: the claim's subject, and the entities' names (a capitalised
    /// word after the first, "Technologies", is a specific term).
    /// </summary>
    private static async Task<string> MatchTextAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var statement = await BenchDatabase.Scalar<string>(connection, """
            SELECT c.statement FROM claims c JOIN entities e ON e.id = c.subject_id
            WHERE c.kind = 'quantity' AND c.statement LIKE '% plans to spend about $% billion on %' AND e.name LIKE '% %'
            ORDER BY c.id LIMIT 1
            """, cancellationToken);
        var at = statement.IndexOf(" plans to spend about $", StringComparison.Ordinal);
        var subject = statement[..at];
        var rest = statement[(at + " plans to spend about $".Length)..].TrimEnd('.');
        var amount = rest[..rest.IndexOf(' ', StringComparison.Ordinal)];
        var topic = rest[(rest.IndexOf(" billion on ", StringComparison.Ordinal) + " billion on ".Length)..].Split(' ');
        string[] lead = [.. subject.Split(' '), "is", "set", "to", "spend", "around", $"${amount}", "billion", "on"];
        string[] tail = ["according", "to", "people", "familiar", "with", "the", "plans"];
        var words = lead.Concat(topic.Take(Math.Max(1, MatchWords - lead.Length - tail.Length))).ToList();
        words[^1] += ",";
        words.AddRange(tail.Take(MatchWords - words.Count));
        return string.Join(' ', words) + ".";
    }

    /// <summary>
    /// Random claims for status updates, with their current ETag and the status to set: in_review, or unverified for a
    /// claim already in review (neither needs evidence, and each is a real change that appends to the chain). Never a
    /// claim of the listed status, so that the list measurements see the same rows run after run.
    /// </summary>
    public static async Task<List<StatusTarget>> StatusTargetsAsync(string connectionString, int count, CancellationToken cancellationToken)
    {
        await using var connection = await BenchDatabase.OpenAsync(connectionString, cancellationToken);
        var targets = new List<StatusTarget>(count);
        await using var command = new NpgsqlCommand(
            "SELECT id, xmin::text::bigint, status FROM claims WHERE status <> $1 ORDER BY random() LIMIT $2", connection);
        command.Parameters.AddWithValue(ListedStatus);
        command.Parameters.AddWithValue(count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            targets.Add(new StatusTarget(reader.GetGuid(0), ETags.For((uint)reader.GetInt64(1)),
                reader.GetString(2) == "in_review" ? ClaimStatus.Unverified : ClaimStatus.InReview));
        }
        return targets;
    }

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this));

    public static Workload Load(string path) => JsonSerializer.Deserialize<Workload>(File.ReadAllText(path))!;
}

public sealed record StatusTarget(Guid Id, string ETag, ClaimStatus To);
