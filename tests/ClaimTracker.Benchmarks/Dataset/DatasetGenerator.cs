using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ClaimTracker.Api.Changes;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Http;
using Npgsql;
using NpgsqlTypes;

namespace ClaimTracker.Benchmarks.Dataset;

/// <summary>Sizes of a generated dataset; the defaults are the issue's (1M claims, 3M appearances, 5M status changes).</summary>
public sealed record DatasetSize(int Claims)
{
    public int Entities => Math.Clamp(Claims / 200, 50, 5_000);
    public int Sources => Math.Clamp(Claims / 20, 100, 50_000);
    public int StatusChanges => Claims * 5;
}

/// <summary>What a generation produced, for the report.</summary>
public sealed record DatasetInfo(
    int Claims, long Appearances, long StatusChanges, int Entities, int Sources, TimeSpan Elapsed,
    IReadOnlyList<(string Phase, TimeSpan Elapsed)> Phases, long DatabaseBytes);

/// <summary>
/// Fills a freshly migrated database through COPY (binary): entities, sources with short contents, claims with
/// English and Italian statements, appearances whose quotes are anchored in their source's content, and a status
/// history that is one valid hash chain (<see cref="HashChain.ComputeHash"/>, as the API writes it).
/// Triggers are off for the load (session_replication_role = replica): the search documents the triggers would
/// maintain are computed here, exactly as the triggers' SQL builds them, and checked against that SQL afterwards.
/// Secondary indexes are dropped for the load and recreated from their own definitions, so the schema ends identical.
/// </summary>
public sealed class DatasetGenerator(string connectionString, DatasetSize size, TextWriter log)
{
    private static readonly DateTimeOffset Start = new(2019, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset End = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] LoadedTables = ["claims", "appearances", "status_changes"];
    private static readonly ClaimStatus[] Statuses = Enum.GetValues<ClaimStatus>();

    private readonly List<(string, TimeSpan)> _phases = [];
    private EntityRow[] _entities = [];
    private SourceRow[] _sources = [];
    private Guid[] _claimIds = [];
    private int[] _appearanceStart = [];
    private Guid[] _appearanceIds = [];
    private int[] _appearanceSource = [];
    private int[] _quoteStart = [];
    private short[] _quoteLength = [];
    private byte[] _stance = [];
    private bool[] _unanchored = [];
    private ClaimStatus[] _status = [];
    private long[] _statusChangedTicks = [];
    private int[] _statusReason = [];

    private sealed record EntityRow(Guid Id, string Slug, string Name, string Kind, string[] Aliases, string SearchText);

    private sealed record SourceRow(Guid Id, string Language, string Content);

    public async Task<DatasetInfo> GenerateAsync(CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        var droppedIndexes = await Phase("drop secondary indexes", () => DropIndexesAsync(cancellationToken));
        await Phase("entities and sources", async () =>
        {
            BuildEntities();
            BuildSources();
            await CopyEntitiesAsync(cancellationToken);
            await CopySourcesAsync(cancellationToken);
            return 0;
        });
        await Phase("appearance layout", () => { BuildAppearances(); return Task.FromResult(0); });
        // The chain (client-side hashing) and the appearances load in parallel; claims need the chain's final statuses.
        await Phase("status_changes (hash chain) + appearances", async () =>
        {
            await Task.WhenAll(Task.Run(() => CopyStatusChangesAsync(cancellationToken), cancellationToken),
                Task.Run(() => CopyAppearancesAsync(cancellationToken), cancellationToken));
            return 0;
        });
        await Phase("claims (search documents, generated tsvector)", async () =>
        {
            // Two writers: PostgreSQL computes each row's tsvector, the expensive part, on two backends.
            var half = size.Claims / 2;
            await Task.WhenAll(Task.Run(() => CopyClaimsAsync(0, half, 1, cancellationToken), cancellationToken),
                Task.Run(() => CopyClaimsAsync(half, size.Claims, 2, cancellationToken), cancellationToken));
            return 0;
        });
        await Phase("recreate indexes", () => RecreateIndexesAsync(droppedIndexes, cancellationToken));
        await Phase("vacuum analyze", async () =>
        {
            await using var connection = await BenchDatabase.OpenAsync(connectionString, cancellationToken);
            await BenchDatabase.Execute(connection, "VACUUM (ANALYZE) entities, sources, claims, appearances, status_changes", cancellationToken);
            return 0;
        });
        await Phase("verify (search documents, chain ends)", () => VerifyAsync(cancellationToken));

        long bytes;
        await using (var connection = await BenchDatabase.OpenAsync(connectionString, cancellationToken))
        {
            bytes = await BenchDatabase.Scalar<long>(connection, "SELECT pg_database_size(current_database())", cancellationToken);
        }
        return new DatasetInfo(size.Claims, _appearanceIds.Length, size.StatusChanges, _entities.Length, _sources.Length,
            total.Elapsed, _phases, bytes);
    }

    private async Task<T> Phase<T>(string name, Func<Task<T>> run)
    {
        var watch = Stopwatch.StartNew();
        var result = await run();
        _phases.Add((name, watch.Elapsed));
        await log.WriteLineAsync($"  {name}: {watch.Elapsed.TotalSeconds:F1} s");
        return result;
    }

    private async Task<List<string>> DropIndexesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await BenchDatabase.OpenAsync(connectionString, cancellationToken);
        var definitions = new List<(string Name, string Definition)>();
        await using (var command = new NpgsqlCommand("""
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = 'public' AND i.tablename = ANY($1)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            """, connection))
        {
            command.Parameters.AddWithValue(LoadedTables);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) definitions.Add((reader.GetString(0), reader.GetString(1)));
        }
        foreach (var (name, _) in definitions) await BenchDatabase.Execute(connection, $"DROP INDEX \"{name}\"", cancellationToken);
        return [.. definitions.Select(d => d.Definition)];
    }

    private async Task<int> RecreateIndexesAsync(List<string> definitions, CancellationToken cancellationToken)
    {
        // Two at a time: each build is mostly one core's sort.
        await Parallel.ForEachAsync(definitions, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = cancellationToken },
            async (definition, ct) =>
            {
                await using var connection = await BenchDatabase.OpenAsync(connectionString, ct);
                await BenchDatabase.Execute(connection, "SET max_parallel_maintenance_workers = 0", ct);
                await BenchDatabase.Execute(connection, definition, ct);
            });
        return definitions.Count;
    }

    private void BuildEntities()
    {
        var random = new Random(11);
        string[] kinds = ["organization", "person", "government", "court", "product", "place"];
        _entities = new EntityRow[size.Entities];
        for (var i = 0; i < _entities.Length; i++)
        {
            var kind = kinds[i % 10 < 5 ? 0 : i % 10 < 8 ? 1 : 2 + i % 4];
            var name = kind switch
            {
                "person" => $"{Vocabulary.FirstNames[random.Next(Vocabulary.FirstNames.Length)]} {Vocabulary.Surname(random)}",
                "government" => $"Government of {Vocabulary.Surname(random)}",
                "court" => $"{Vocabulary.Surname(random)} High Court",
                "place" => Vocabulary.Surname(random),
                _ => $"{Vocabulary.Surname(random)} {(random.Next(3) == 0 ? "S.p.A." : random.Next(2) == 0 ? "Group" : "Technologies")}",
            };
            string[] aliases = kind switch
            {
                "government" => [$"Governo di {name[14..]}"],
                "court" => [$"Alta Corte di {name.Split(' ')[0]}"],
                _ => random.Next(4) == 0 ? [name.Split(' ')[0].ToUpperInvariant()] : [],
            };
            var slug = $"{Vocabulary.Slugify(name, 80)}-{i}";
            // claim_search_names(): concat_ws(' ', name, slug, array_to_string(aliases, ' ')); an empty array gives ''.
            _entities[i] = new EntityRow(NewId(random, Start.AddMinutes(i)), slug, name, kind, aliases, $"{name} {slug} {string.Join(' ', aliases)}");
        }
    }

    private void BuildSources()
    {
        var random = new Random(13);
        _sources = new SourceRow[size.Sources];
        var text = new StringBuilder();
        for (var i = 0; i < _sources.Length; i++)
        {
            var language = random.Next(5) < 2 ? "it" : "en";
            text.Clear();
            var target = 800 + random.Next(1600);
            while (text.Length < target) AppendSentence(text, random, language);
            _sources[i] = new SourceRow(NewId(random, Start.AddMinutes(i * 3)), language, text.ToString(0, text.Length - 1));
        }
    }

    private static void AppendSentence(StringBuilder text, Random random, string language)
    {
        var words = 8 + random.Next(13);
        for (var w = 0; w < words; w++)
        {
            var word = Vocabulary.Word(random, language);
            if (w == 0) text.Append(char.ToUpperInvariant(word[0])).Append(word, 1, word.Length - 1);
            else text.Append(word);
            text.Append(w == words - 1 ? ". " : random.Next(12) == 0 ? ", " : " ");
        }
    }

    private async Task CopyEntitiesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenLoaderAsync(cancellationToken);
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY entities (id, slug, name, kind, aliases, description, created_at, updated_at) FROM STDIN (FORMAT BINARY)", cancellationToken);
        for (var i = 0; i < _entities.Length; i++)
        {
            var e = _entities[i];
            var at = Start.AddMinutes(i);
            await writer.StartRowAsync(cancellationToken);
            await writer.WriteAsync(e.Id, NpgsqlDbType.Uuid, cancellationToken);
            await writer.WriteAsync(e.Slug, NpgsqlDbType.Varchar, cancellationToken);
            await writer.WriteAsync(e.Name, NpgsqlDbType.Varchar, cancellationToken);
            await writer.WriteAsync(e.Kind, NpgsqlDbType.Varchar, cancellationToken);
            await writer.WriteAsync(e.Aliases, NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken);
            await writer.WriteAsync($"{e.Name}: a {e.Kind} in the news.", NpgsqlDbType.Varchar, cancellationToken);
            await writer.WriteAsync(at, NpgsqlDbType.TimestampTz, cancellationToken);
            await writer.WriteAsync(at, NpgsqlDbType.TimestampTz, cancellationToken);
        }
        await writer.CompleteAsync(cancellationToken);
    }

    private async Task CopySourcesAsync(CancellationToken cancellationToken)
    {
        var random = new Random(17);
        string[] kinds = ["article", "article", "article", "report", "statement", "ruling", "filing", "social_post", "dataset", "other"];
        string[] reliabilities = ["unrated", "credible", "credible", "mixed", "not_credible"];
        await using var connection = await OpenLoaderAsync(cancellationToken);
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY sources (id, kind, title, url, publisher, author, language, published_at, anonymous, reliability, content, " +
            "content_sha256, revision, created_at, updated_at) FROM STDIN (FORMAT BINARY)", cancellationToken);
        for (var i = 0; i < _sources.Length; i++)
        {
            var s = _sources[i];
            var at = Start.AddMinutes(i * 3);
            var title = string.Join(' ', s.Content.Split(' ', 9).Take(8)).TrimEnd('.', ',');
            var publisher = Vocabulary.Publishers[Vocabulary.Zipf(random, Vocabulary.Publishers.Length)];
            await writer.StartRowAsync(cancellationToken);
            await writer.WriteAsync(s.Id, NpgsqlDbType.Uuid, cancellationToken);
            await writer.WriteAsync(kinds[random.Next(kinds.Length)], NpgsqlDbType.Varchar, cancellationToken);
            await writer.WriteAsync(title, NpgsqlDbType.Varchar, cancellationToken);
            await WriteNullable(writer, random.Next(10) == 0 ? null : $"https://{Vocabulary.Slugify(publisher, 40)}.example/{at:yyyy/MM}/{Vocabulary.Slugify(title, 60)}-{i}", NpgsqlDbType.Varchar, cancellationToken);
            await writer.WriteAsync(publisher, NpgsqlDbType.Varchar, cancellationToken);
            await WriteNullable(writer, random.Next(3) == 0 ? null : $"{Vocabulary.FirstNames[random.Next(Vocabulary.FirstNames.Length)]} {Vocabulary.Surname(random)}", NpgsqlDbType.Varchar, cancellationToken);
            await writer.WriteAsync(s.Language, NpgsqlDbType.Varchar, cancellationToken);
            await writer.WriteAsync(at, NpgsqlDbType.TimestampTz, cancellationToken);
            await writer.WriteAsync(random.Next(10) == 0, NpgsqlDbType.Boolean, cancellationToken);
            await writer.WriteAsync(reliabilities[random.Next(reliabilities.Length)], NpgsqlDbType.Varchar, cancellationToken);
            await writer.WriteAsync(s.Content, NpgsqlDbType.Varchar, cancellationToken);
            await writer.WriteAsync(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s.Content))), NpgsqlDbType.Char, cancellationToken);
            await writer.WriteAsync(1, NpgsqlDbType.Integer, cancellationToken);
            await writer.WriteAsync(at, NpgsqlDbType.TimestampTz, cancellationToken);
            await writer.WriteAsync(at, NpgsqlDbType.TimestampTz, cancellationToken);
        }
        await writer.CompleteAsync(cancellationToken);
    }

    /// <summary>Ids, sources and quote spans of every appearance (1–5 per claim, 3 on average), grouped by claim in order.</summary>
    private void BuildAppearances()
    {
        var random = new Random(19);
        _claimIds = new Guid[size.Claims];
        _appearanceStart = new int[size.Claims + 1];
        for (var c = 0; c < size.Claims; c++)
        {
            _claimIds[c] = NewId(random, ClaimCreated(c));
            _appearanceStart[c + 1] = _appearanceStart[c] + 1 + random.Next(5);
        }
        var count = _appearanceStart[^1];
        _appearanceIds = new Guid[count];
        _appearanceSource = new int[count];
        _quoteStart = new int[count];
        _quoteLength = new short[count];
        _stance = new byte[count];
        _unanchored = new bool[count];
        for (var c = 0; c < size.Claims; c++)
        {
            for (var a = _appearanceStart[c]; a < _appearanceStart[c + 1]; a++)
            {
                _appearanceIds[a] = NewId(random, AppearanceCreated(c, a));
                var source = random.Next(_sources.Length);
                var content = _sources[source].Content;
                // A span of whole words, 30–200 characters: content[start..end) is the quote.
                var start = random.Next(content.Length - 220);
                if (start > 0) start = content.IndexOf(' ', start) + 1;
                var end = Math.Min(content.Length, start + 30 + random.Next(170));
                var space = content.LastIndexOf(' ', end - 1, end - start);
                if (space > start + 10) end = space;
                _appearanceSource[a] = source;
                _quoteStart[a] = start;
                _quoteLength[a] = (short)(end - start);
                _stance[a] = (byte)random.Next(6);
                _unanchored[a] = random.Next(30) == 0;
            }
        }
    }

    private async Task CopyAppearancesAsync(CancellationToken cancellationToken)
    {
        string[] stances = ["asserts", "reports", "supports", "disputes", "denies", "retracts"];
        await using var connection = await OpenLoaderAsync(cancellationToken);
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY appearances (id, claim_id, source_id, stance, quote_exact, quote_prefix, quote_suffix, quote_start, quote_end, " +
            "quote_anchor, created_at) FROM STDIN (FORMAT BINARY)", cancellationToken);
        for (var c = 0; c < size.Claims; c++)
        {
            for (var a = _appearanceStart[c]; a < _appearanceStart[c + 1]; a++)
            {
                var content = _sources[_appearanceSource[a]].Content;
                int start = _quoteStart[a], end = start + _quoteLength[a];
                await writer.StartRowAsync(cancellationToken);
                await writer.WriteAsync(_appearanceIds[a], NpgsqlDbType.Uuid, cancellationToken);
                await writer.WriteAsync(_claimIds[c], NpgsqlDbType.Uuid, cancellationToken);
                await writer.WriteAsync(_sources[_appearanceSource[a]].Id, NpgsqlDbType.Uuid, cancellationToken);
                await writer.WriteAsync(stances[_stance[a]], NpgsqlDbType.Varchar, cancellationToken);
                await writer.WriteAsync(content[start..end], NpgsqlDbType.Varchar, cancellationToken);
                if (_unanchored[a])
                {
                    for (var n = 0; n < 4; n++) await writer.WriteNullAsync(cancellationToken);
                    await writer.WriteAsync("unanchored", NpgsqlDbType.Varchar, cancellationToken);
                }
                else
                {
                    await writer.WriteAsync(content[Math.Max(0, start - 32)..start], NpgsqlDbType.Varchar, cancellationToken);
                    await writer.WriteAsync(content[end..Math.Min(content.Length, end + 32)], NpgsqlDbType.Varchar, cancellationToken);
                    await writer.WriteAsync(start, NpgsqlDbType.Integer, cancellationToken);
                    await writer.WriteAsync(end, NpgsqlDbType.Integer, cancellationToken);
                    await writer.WriteAsync("anchored", NpgsqlDbType.Varchar, cancellationToken);
                }
                await writer.WriteAsync(AppearanceCreated(c, a), NpgsqlDbType.TimestampTz, cancellationToken);
            }
        }
        await writer.CompleteAsync(cancellationToken);
    }

    private static readonly string[] Reasons =
    [
        "Checked against the company's filing.", "Two independent sources confirm the figure.",
        "The spokesperson denies it; no documents either way.", "Handed to the desk for verification.",
        "Reopened: a new report contradicts the earlier evidence.", "The original source withdrew the story.",
        "Il portavoce ha smentito le indiscrezioni.", "Confermato da documenti ufficiali.",
        "In verifica presso la redazione.", "Le fonti non concordano sulla cifra.", "The court ruling settles it.",
        "No reply to requests for comment after a week.",
    ];

    /// <summary>
    /// The global chain in seq order: change j happens at a time that grows with j, to a claim created before it; from is
    /// the claim's status at that point; verdicts carry an appearance of the claim as evidence. Hashed exactly as the API does.
    /// </summary>
    private async Task CopyStatusChangesAsync(CancellationToken cancellationToken)
    {
        var random = new Random(23);
        _status = new ClaimStatus[size.Claims];
        _statusChangedTicks = new long[size.Claims];
        _statusReason = new int[size.Claims];
        var total = size.StatusChanges;
        var span = (End - Start).Ticks;
        var prevHash = HashChain.Genesis;
        await using var connection = await OpenLoaderAsync(cancellationToken);
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY status_changes (seq, claim_id, from_status, to_status, reason, evidence_appearance_ids, evidence_source_ids, " +
            "actor, at, prev_hash, hash) FROM STDIN (FORMAT BINARY)", cancellationToken);
        List<Guid> noIds = [];
        for (var j = 0; j < total; j++)
        {
            var ticks = Start.UtcTicks + (long)(span * (0.02 + 0.98 * (j + 0.5) / total));
            ticks -= ticks % 10; // PostgreSQL keeps microseconds
            var created = (int)Math.Clamp((ticks - Start.UtcTicks) * (double)size.Claims / span, 1, size.Claims);
            var c = random.Next(created);
            var from = _status[c];
            var to = Statuses[random.Next(Statuses.Length - 1)];
            if (to >= from) to = Statuses[(int)to + 1];
            var reason = random.Next(Reasons.Length);
            var change = HashChain.Link(j, prevHash, _claimIds[c], new StatusMove(from, to, Reasons[reason],
                ClaimStatusRules.NeedsEvidence(to) ? [_appearanceIds[_appearanceStart[c]]] : noIds, noIds,
                $"desk-editor-{random.Next(20)}", new DateTimeOffset(ticks, TimeSpan.Zero)));
            prevHash = change.Hash;
            _status[c] = to;
            _statusChangedTicks[c] = ticks;
            _statusReason[c] = reason;

            await writer.StartRowAsync(cancellationToken);
            await writer.WriteAsync(change.Seq, NpgsqlDbType.Bigint, cancellationToken);
            await writer.WriteAsync(change.ClaimId, NpgsqlDbType.Uuid, cancellationToken);
            await writer.WriteAsync(EnumWords.ToWord(from), NpgsqlDbType.Varchar, cancellationToken);
            await writer.WriteAsync(EnumWords.ToWord(to), NpgsqlDbType.Varchar, cancellationToken);
            await writer.WriteAsync(change.Reason, NpgsqlDbType.Varchar, cancellationToken);
            await writer.WriteAsync(change.EvidenceAppearanceIds, NpgsqlDbType.Array | NpgsqlDbType.Uuid, cancellationToken);
            await writer.WriteAsync(change.EvidenceSourceIds, NpgsqlDbType.Array | NpgsqlDbType.Uuid, cancellationToken);
            await writer.WriteAsync(change.Actor, NpgsqlDbType.Varchar, cancellationToken);
            await writer.WriteAsync(change.At, NpgsqlDbType.TimestampTz, cancellationToken);
            await writer.WriteAsync(change.PrevHash, NpgsqlDbType.Char, cancellationToken);
            await writer.WriteAsync(change.Hash, NpgsqlDbType.Char, cancellationToken);
        }
        await writer.CompleteAsync(cancellationToken);
    }

    private async Task CopyClaimsAsync(int from, int to, int seed, CancellationToken cancellationToken)
    {
        var random = new Random(29 * seed);
        string[] units = ["USD", "USD", "EUR", "CNY", "users", "percent", "tonnes"];
        string[] scopes = ["domestic", "abroad", "global"];
        var statement = new StringBuilder();
        var quotes = new StringBuilder();
        await using var connection = await OpenLoaderAsync(cancellationToken);
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY claims (id, slug, statement, kind, subject_id, claimant_id, tags, part_of_id, quantity_amount, " +
            "quantity_lower_bound, quantity_upper_bound, quantity_unit, quantity_approximate, quantity_period, quantity_scope, " +
            "occurred_on, date_precision, status, status_reason, status_changed_at, created_at, updated_at, search_quotes, " +
            "search_names) FROM STDIN (FORMAT BINARY)", cancellationToken);
        var previousKind = -1;
        for (var c = from; c < to; c++)
        {
            var kind = random.Next(20) switch { < 6 => 0, < 11 => 1, _ => 2 }; // quantity, event, assertion
            var subject = Vocabulary.Zipf(random, _entities.Length);
            int? claimant = random.Next(3) == 0 ? null : random.Next(_entities.Length);
            var year = 2018 + random.Next(9);
            var amount = Math.Round((decimal)(random.NextDouble() * 100), 1);
            var language = random.Next(10) < 7 ? "en" : "it";
            BuildStatement(statement, random, language, kind, _entities[subject].Name, amount, year);
            if (c == 0 || random.Next(50_000) == 0) statement.Insert(statement.Length - 1, $", says {char.ToUpperInvariant(Vocabulary.RareTerm[0])}{Vocabulary.RareTerm[1..]}");
            var text = statement.ToString();
            var tags = Enumerable.Range(0, random.Next(4)).Select(_ => Vocabulary.Tags[Vocabulary.Zipf(random, Vocabulary.Tags.Length)])
                .Distinct().ToArray();
            var created = ClaimCreated(c);
            var status = _status[c];
            var changed = _statusChangedTicks[c];
            var updated = changed > created.UtcTicks ? new DateTimeOffset(changed, TimeSpan.Zero) : created;
            Guid? partOf = kind == 0 && previousKind == 0 && c > from && random.Next(5) == 0 ? _claimIds[c - 1] : null;
            previousKind = kind;

            quotes.Clear();
            for (var a = _appearanceStart[c]; a < _appearanceStart[c + 1]; a++)
            {
                if (quotes.Length > 0) quotes.Append(' ');
                quotes.Append(_sources[_appearanceSource[a]].Content, _quoteStart[a], _quoteLength[a]);
            }
            // claim_search_names(): the subject's and claimant's texts (one row when they are the same entity), then the tags.
            var names = claimant is { } k && k != subject
                ? $"{_entities[Math.Min(subject, k)].SearchText} {_entities[Math.Max(subject, k)].SearchText}"
                : _entities[subject].SearchText;

            await writer.StartRowAsync(cancellationToken);
            await writer.WriteAsync(_claimIds[c], NpgsqlDbType.Uuid, cancellationToken);
            await writer.WriteAsync($"{Vocabulary.Slugify(text, 80)}-{c.ToString(CultureInfo.InvariantCulture)}", NpgsqlDbType.Varchar, cancellationToken);
            await writer.WriteAsync(text, NpgsqlDbType.Varchar, cancellationToken);
            await writer.WriteAsync(kind switch { 0 => "quantity", 1 => "event", _ => "assertion" }, NpgsqlDbType.Varchar, cancellationToken);
            await writer.WriteAsync(_entities[subject].Id, NpgsqlDbType.Uuid, cancellationToken);
            await WriteNullable(writer, claimant is { } cl ? _entities[cl].Id : (Guid?)null, NpgsqlDbType.Uuid, cancellationToken);
            await writer.WriteAsync(tags, NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken);
            await WriteNullable(writer, partOf, NpgsqlDbType.Uuid, cancellationToken);
            if (kind == 0)
            {
                await writer.WriteAsync(amount * 1_000_000_000m, NpgsqlDbType.Numeric, cancellationToken);
                await writer.WriteNullAsync(cancellationToken);
                await writer.WriteNullAsync(cancellationToken);
                await writer.WriteAsync(units[random.Next(units.Length)], NpgsqlDbType.Varchar, cancellationToken);
                await writer.WriteAsync(random.Next(2) == 0, NpgsqlDbType.Boolean, cancellationToken);
                await writer.WriteAsync(year.ToString(CultureInfo.InvariantCulture), NpgsqlDbType.Varchar, cancellationToken);
                await WriteNullable(writer, random.Next(3) == 0 ? scopes[random.Next(3)] : null, NpgsqlDbType.Varchar, cancellationToken);
            }
            else
            {
                for (var n = 0; n < 7; n++) await writer.WriteNullAsync(cancellationToken);
            }
            if (kind == 1)
            {
                await writer.WriteAsync(new DateOnly(year, 1 + random.Next(12), 1 + random.Next(28)), NpgsqlDbType.Date, cancellationToken);
                await writer.WriteAsync("day", NpgsqlDbType.Varchar, cancellationToken);
            }
            else
            {
                await writer.WriteNullAsync(cancellationToken);
                await writer.WriteNullAsync(cancellationToken);
            }
            await writer.WriteAsync(EnumWords.ToWord(status), NpgsqlDbType.Varchar, cancellationToken);
            await WriteNullable(writer, changed == 0 ? null : Reasons[_statusReason[c]], NpgsqlDbType.Varchar, cancellationToken);
            await WriteNullable(writer, changed == 0 ? null : (DateTimeOffset?)new DateTimeOffset(changed, TimeSpan.Zero), NpgsqlDbType.TimestampTz, cancellationToken);
            await writer.WriteAsync(created, NpgsqlDbType.TimestampTz, cancellationToken);
            await writer.WriteAsync(updated, NpgsqlDbType.TimestampTz, cancellationToken);
            await writer.WriteAsync(quotes.ToString(), NpgsqlDbType.Text, cancellationToken);
            await writer.WriteAsync($"{names} {string.Join(' ', tags)}", NpgsqlDbType.Text, cancellationToken);
        }
        await writer.CompleteAsync(cancellationToken);
    }

    private static void BuildStatement(StringBuilder text, Random random, string language, int kind, string subject, decimal amount, int year)
    {
        text.Clear();
        if (language == "en")
        {
            text.Append(kind switch
            {
                0 => $"{subject} plans to spend about ${amount.ToString(CultureInfo.InvariantCulture)} billion on",
                1 => $"{subject} {Vocabulary.English[random.Next(40)]} in {year} after",
                _ => $"{subject} said that",
            });
        }
        else
        {
            text.Append(kind switch
            {
                0 => $"Secondo {subject}, la spesa per",
                1 => $"Nel {year} {subject} ha",
                _ => $"{subject} ha dichiarato che",
            });
        }
        var words = 5 + random.Next(10);
        for (var w = 0; w < words; w++) text.Append(' ').Append(Vocabulary.Word(random, language));
        if (kind == 0 && language == "it") text.Append($" sarà di circa {amount.ToString(CultureInfo.InvariantCulture)} miliardi nel {year}");
        text.Append('.');
    }

    private async Task<long> VerifyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await BenchDatabase.OpenAsync(connectionString, cancellationToken);
        // The documents written by the load must be what the triggers' SQL computes.
        var percent = Math.Min(100.0, 200_000.0 / size.Claims).ToString("0.####", CultureInfo.InvariantCulture);
        var wrong = await BenchDatabase.Scalar<long>(connection, $"""
            SELECT count(*) FROM (SELECT * FROM claims TABLESAMPLE SYSTEM ({percent})) c
            WHERE c.search_names IS DISTINCT FROM claim_search_names(c.subject_id, c.claimant_id, c.tags)
               OR c.search_quotes IS DISTINCT FROM coalesce((SELECT string_agg(a.quote_exact, ' ' ORDER BY a.created_at, a.id)
                                                           FROM appearances a WHERE a.claim_id = c.id), '')
            """, cancellationToken);
        if (wrong > 0) throw new InvalidOperationException($"{wrong} sampled claims have search documents that differ from the triggers' SQL.");
        // Anchored quotes are slices of their source's content.
        var misanchored = await BenchDatabase.Scalar<long>(connection, $"""
            SELECT count(*) FROM (SELECT * FROM appearances TABLESAMPLE SYSTEM ({percent})) a JOIN sources s ON s.id = a.source_id
            WHERE a.quote_anchor = 'anchored' AND substr(s.content, a.quote_start + 1, a.quote_end - a.quote_start) <> a.quote_exact
            """, cancellationToken);
        if (misanchored > 0) throw new InvalidOperationException($"{misanchored} sampled anchored quotes are not slices of their source.");
        // The chain's first and last rows (the whole chain is checked by GET /changes/verify).
        foreach (var where in new[] { "seq <= 2000", $"seq > {size.StatusChanges - 2000}" })
        {
            await using var command = new NpgsqlCommand(
                $"SELECT seq, claim_id, from_status, to_status, reason, evidence_appearance_ids, evidence_source_ids, actor, at, prev_hash, hash " +
                $"FROM status_changes WHERE {where} ORDER BY seq", connection);
            var rows = new List<StatusChange>();
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    rows.Add(new StatusChange
                    {
                        Seq = reader.GetInt64(0), ClaimId = reader.GetGuid(1),
                        From = EnumWords.Parse<ClaimStatus>(reader.GetString(2)),
                        To = EnumWords.Parse<ClaimStatus>(reader.GetString(3)),
                        Reason = reader.GetString(4), EvidenceAppearanceIds = [.. reader.GetFieldValue<Guid[]>(5)],
                        EvidenceSourceIds = [.. reader.GetFieldValue<Guid[]>(6)], Actor = reader.GetString(7),
                        At = reader.GetFieldValue<DateTimeOffset>(8), PrevHash = reader.GetString(9), Hash = reader.GetString(10),
                    });
                }
            }
            if (rows.Count == 0) continue;
            var previous = rows[0].Seq == 1 ? null : new StatusChange { Seq = rows[0].Seq - 1, Hash = rows[0].PrevHash, Reason = "", Actor = "", PrevHash = "" };
            if (HashChain.FirstBroken(rows, previous) is { } broken) throw new InvalidOperationException($"The generated chain breaks at seq {broken}.");
        }
        return 0;
    }

    private async Task<NpgsqlConnection> OpenLoaderAsync(CancellationToken cancellationToken)
    {
        var connection = await BenchDatabase.OpenAsync(connectionString, cancellationToken);
        // No triggers for the load: append-only guard, NOTIFY per row, and the search-document maintenance.
        await BenchDatabase.Execute(connection, "SET session_replication_role = replica", cancellationToken);
        await BenchDatabase.Execute(connection, "SET synchronous_commit = off", cancellationToken);
        return connection;
    }

    private static async Task WriteNullable<T>(NpgsqlBinaryImporter writer, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
    {
        if (value is null) await writer.WriteNullAsync(cancellationToken);
        else await writer.WriteAsync(value, type, cancellationToken);
    }

    private DateTimeOffset ClaimCreated(int c) =>
        new(Start.UtcTicks + (End - Start).Ticks / size.Claims * c / 10 * 10, TimeSpan.Zero);

    private DateTimeOffset AppearanceCreated(int c, int a) =>
        ClaimCreated(c).AddSeconds(1 + a - _appearanceStart[c]);

    /// <summary>A UUIDv7 for <paramref name="at"/> from a seeded generator, so that a dataset is reproducible.</summary>
    private static Guid NewId(Random random, DateTimeOffset at)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        var ms = at.ToUnixTimeMilliseconds();
        for (var i = 0; i < 6; i++) bytes[i] = (byte)(ms >> (8 * (5 - i)));
        bytes[6] = (byte)(0x70 | (bytes[6] & 0x0F));
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return new Guid(bytes, bigEndian: true);
    }
}
