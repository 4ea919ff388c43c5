using System.Globalization;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Changes;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Http;
using ClaimTracker.Api.Matching;
using Npgsql;

namespace ClaimTracker.Benchmarks.Measure;

/// <summary>
/// The endpoints' work with raw Npgsql: the very commands EF Core sent for the real endpoint (captured), replayed with
/// this request's values, and the rows read into the API's own response records. Used by the database floor (a loop)
/// and by the framework floor (a bare minimal endpoint). Reads only what the response needs.
/// </summary>
public sealed class FloorQueries
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly IReadOnlyDictionary<string, CapturedRequest> _captured;
    private readonly CapturedCommand[] _detail;
    private readonly Guid _detailId;
    private readonly StatusUpdateCommands? _status;
    private readonly MatchCommands? _match;

    public FloorQueries(NpgsqlDataSource dataSource, IReadOnlyDictionary<string, CapturedRequest> captured)
    {
        _dataSource = dataSource;
        _captured = captured;
        var detail = captured["claim-by-id"];
        _detail = [.. detail.Commands];
        _detailId = Guid.Parse(detail.Url.Split('/')[^1]);
        if (_detail.Length != 1) throw Drift("claim-by-id", $"expected 1 command (the claim's detail as JSON), got {_detail.Length}");
        if (captured.TryGetValue("status-update", out var status)) _status = StatusUpdateCommands.From(status);
        if (captured.TryGetValue("match", out var match)) _match = MatchCommands.From(match);
    }

    /// <summary>A data source configured as the API configures its own (Max Auto Prepare 64).</summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString) =>
        NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 64, Pooling = true }.ConnectionString);

    public async Task<Versioned<ClaimDetailResponse>?> GetDetailAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await ReadDetailAsync(connection, _detail, _detailId, id, cancellationToken);
    }

    /// <summary>
    /// One page of a captured list URL (same filter, cursor and search as captured): every captured command in order,
    /// inside the captured transaction if there was one (e.g. a search's SET LOCAL statement_timeout); the page comes
    /// from the command that carries the page size.
    /// </summary>
    public async Task<Page<ClaimResponse>> ListAsync(string endpoint, CancellationToken cancellationToken)
    {
        var commands = _captured[endpoint].Commands;
        var page = commands.LastOrDefault(c => c.Parameters.Any(p => p.Value is int)) ?? throw Drift(endpoint, "no command carries the page size");
        var limit = (int)page.Parameters.First(p => p.Value is int).Value! - 1;
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        NpgsqlTransaction? transaction = null;
        var rows = new List<ClaimResponse>(limit + 1);
        try
        {
            foreach (var command in commands)
            {
                switch (command.Text)
                {
                    case "BEGIN":
                        transaction = await connection.BeginTransactionAsync(cancellationToken);
                        continue;
                    case "COMMIT":
                        await transaction!.CommitAsync(cancellationToken);
                        continue;
                }
                await using var sqlCommand = command.ToCommand(connection, transaction);
                if (command != page)
                {
                    await sqlCommand.ExecuteNonQueryAsync(cancellationToken);
                    continue;
                }
                await using var reader = await sqlCommand.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken)) rows.Add(ReadClaim(reader));
            }
        }
        finally
        {
            if (transaction is not null) await transaction.DisposeAsync();
        }
        if (rows.Count <= limit) return new Page<ClaimResponse>(rows, null);
        rows.RemoveAt(rows.Count - 1);
        var last = rows[^1];
        return new Page<ClaimResponse>(rows,
            new Cursor(ClaimSorts.Default, last.UpdatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), last.Id).Encode());
    }

    /// <summary>A match's candidates and the claims they are, as the API reads them (list items by id).</summary>
    public sealed record MatchOutcome(IReadOnlyList<ClaimMatch> Matches, IReadOnlyDictionary<Guid, ClaimResponse> Claims);

    /// <summary>
    /// `POST /claims/match`: the matcher's own code (ranking, figures, verdict: <see cref="ClaimMatcher"/>) reading through
    /// the captured commands on one connection — the scoring, then the top candidate's claim and subject and the entities'
    /// names when the verdict asks for them — then the candidates' claims, by the captured list-item query.
    /// </summary>
    public async Task<MatchOutcome> MatchAsync(string text, string? language, int limit, CancellationToken cancellationToken)
    {
        var sql = _match ?? throw new InvalidOperationException("No match was captured.");
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var matches = await ClaimMatcher.MatchAsync(new FloorMatchReads(connection, sql), text, language, limit, [], cancellationToken);
        var claims = new Dictionary<Guid, ClaimResponse>(matches.Count);
        if (matches.Count == 0) return new MatchOutcome(matches, claims);
        var ids = matches.Select(m => m.ClaimId).ToList();
        await using var command = sql.Items.ToCommand(connection, null, p => p == sql.ItemIds ? ids : null);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var claim = ReadClaim(reader);
            claims[claim.Id] = claim;
        }
        return new MatchOutcome(matches, claims);
    }

    /// <summary>The matcher's reads, replayed from the captured commands with this request's values.</summary>
    private sealed class FloorMatchReads(NpgsqlConnection connection, MatchCommands sql) : IMatchReads
    {
        public async Task<List<ScoredText>> ScoreAsync(string text, int candidates, Guid[] excluded, CancellationToken cancellationToken)
        {
            var rows = new List<ScoredText>();
            await using var command = sql.Score.ToCommand(connection, null, p => p.Value switch
            {
                string s when s == sql.Text => text,
                int => candidates,
                Guid[] => excluded,
                _ => null,
            });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(new ScoredText(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    reader.GetDouble(4), reader.GetDouble(5)));
            }
            return rows;
        }

        public async Task<MatchedClaim> ClaimAsync(Guid id, CancellationToken cancellationToken)
        {
            var captured = sql.Claim ?? throw Drift("match", "the verdict reads the top candidate's claim, but the capture did not");
            await using var command = captured.ToCommand(connection, null, p => p.Value is Guid ? id : null);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken)) throw new InvalidOperationException($"No claim {id}.");
            return new MatchedClaim(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<string[]>(2));
        }

        public async Task<IReadOnlyList<EntityNames>> EntityNamesAsync(IReadOnlySet<string> words, CancellationToken cancellationToken)
        {
            var captured = sql.Entities ?? throw Drift("match", "the verdict reads the entities' names, but the capture did not");
            var names = new List<EntityNames>();
            await using var command = captured.ToCommand(connection, null, p => p.Value is string ? SpecificTerms.WordStartPattern(words) : null);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) names.Add(new EntityNames(reader.GetString(0), reader.GetFieldValue<string[]>(1)));
            return names;
        }
    }

    /// <summary>
    /// The captured match: the scoring (the one with the lexeme overlap), the top candidate's claim and subject (one id),
    /// the entities' names (the text's name words as one pattern; absent when the text names nobody), and the candidates' claims
    /// (an id list).
    /// </summary>
    private sealed record MatchCommands(
        CapturedCommand Score, string Text, CapturedCommand? Claim, CapturedCommand? Entities, CapturedCommand Items, CapturedParameter ItemIds)
    {
        public static MatchCommands From(CapturedRequest request)
        {
            var c = request.Commands;
            var score = c.SingleOrDefault(x => x.Text.Contains("claimtracker_lexeme_overlap", StringComparison.Ordinal))
                        ?? throw Drift("match", "no scoring command (claimtracker_lexeme_overlap)");
            var text = score.Parameters.Select(p => p.Value).OfType<string>().Distinct().SingleOrDefault()
                       ?? throw Drift("match", "the scoring should carry the text as its one string value");
            var rest = c.Where(x => x != score).ToList();
            var items = rest.SingleOrDefault(x => x.Parameters.Any(p => p.Value is IEnumerable<Guid>))
                        ?? throw Drift("match", "no list-item query by an id list");
            var claim = rest.SingleOrDefault(x => x.Parameters.Count == 1 && x.Parameters[0].Value is Guid);
            var entities = rest.SingleOrDefault(x => x.Parameters.Count == 1 && x.Parameters[0].Value is string
                                                     && x.Text.Contains("FROM entities", StringComparison.Ordinal));
            if (c.Count != 2 + (claim is null ? 0 : 1) + (entities is null ? 0 : 1))
            {
                throw Drift("match", $"expected scoring, [claim], [entity names], list items; got {c.Count} commands");
            }
            return new MatchCommands(score, text, claim, entities, items,
                items.Parameters.Single(p => p.Value is IEnumerable<Guid>));
        }
    }

    /// <summary>The outcome of a status update: the HTTP status the API would give, and the claim when it is 200.</summary>
    public sealed record StatusOutcome(int Status, Versioned<ClaimDetailResponse>? Claim);

    public async Task<StatusOutcome> ChangeStatusAsync(
        Guid id, string? ifMatch, ClaimStatus to, string reason, string? apiKey, CancellationToken cancellationToken)
    {
        var sql = _status ?? throw new InvalidOperationException("No status update was captured.");
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        if (apiKey is null) return new StatusOutcome(401, null);
        string actor;
        await using (var auth = sql.Auth.ToCommand(connection, null, _ => ApiKeyTokens.Hash(apiKey)))
        await using (var reader = await auth.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken)) return new StatusOutcome(401, null);
            if (!reader.IsDBNull(4)) return new StatusOutcome(401, null);
            if (EnumWords.Parse<Role>(reader.GetString(2)) < Role.Editor) return new StatusOutcome(403, null);
            actor = reader.GetString(1);
        }

        uint version;
        ClaimStatus from;
        await using (var load = sql.Load.ToCommand(connection, null, _ => id))
        await using (var reader = await load.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken)) return new StatusOutcome(404, null);
            version = reader.GetFieldValue<uint>(sql.LoadXmin);
            from = EnumWords.Parse<ClaimStatus>(reader.GetString(sql.LoadStatus));
        }
        if (ifMatch is null) return new StatusOutcome(428, null);
        if (ifMatch != ETags.For(version)) return new StatusOutcome(412, null);

        if (from != to)
        {
            // The transaction's commands in the API's order: the lock, the chain's last row and the writes, wherever they come.
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var change = new StatusChange
            {
                ClaimId = id, From = from, To = to, Reason = reason.Trim(), Actor = actor,
                At = HashChain.ToStoredPrecision(DateTimeOffset.UtcNow), PrevHash = HashChain.Genesis, Hash = "",
            };
            var values = new Dictionary<string, object>
            {
                ["id"] = id, ["from"] = EnumWords.ToWord(from), ["to"] = EnumWords.ToWord(to), ["reason"] = change.Reason,
                ["actor"] = actor, ["at"] = change.At, ["xmin"] = version,
            };
            for (var step = 0; step < sql.Transaction.Length; step++)
            {
                var command = sql.Transaction[step];
                if (step == sql.LockStep)
                {
                    await using var lockCommand = command.ToCommand(connection, transaction);
                    await lockCommand.ExecuteNonQueryAsync(cancellationToken);
                    continue;
                }
                if (step == sql.LastStep)
                {
                    long lastSeq = 0;
                    await using (var last = command.ToCommand(connection, transaction))
                    await using (var reader = await last.ExecuteReaderAsync(cancellationToken))
                    {
                        if (await reader.ReadAsync(cancellationToken)) (lastSeq, change.PrevHash) = (reader.GetInt64(0), reader.GetString(1));
                    }
                    change.Seq = lastSeq + 1;
                    change.Hash = HashChain.ComputeHash(change);
                    (values["seq"], values["prevHash"], values["hash"]) = (change.Seq, change.PrevHash, change.Hash);
                    continue;
                }
                await using var write = command.ToCommand(connection, transaction,
                    p => sql.Roles.TryGetValue((step, p.Name), out var role) ? values[role] : null);
                await using var written = await write.ExecuteReaderAsync(cancellationToken);
                while (await written.NextResultAsync(cancellationToken)) { } // RETURNING rows, if any, are not needed
                // Fewer rows than statements: the UPDATE's `xmin = <version read>` found none, so the ETag went stale. Rolled back.
                if (written.RecordsAffected < StatusUpdateCommands.Statements(command)) return new StatusOutcome(412, null);
            }
            await transaction.CommitAsync(cancellationToken);
        }

        var row = await ReadDetailAsync(connection, sql.Detail, sql.Id, id, cancellationToken);
        return new StatusOutcome(200, row);
    }

    private static async Task<Versioned<ClaimDetailResponse>?> ReadDetailAsync(
        NpgsqlConnection connection, CapturedCommand[] commands, Guid capturedId, Guid id, CancellationToken cancellationToken)
    {
        // One statement, as the API runs it: the detail as JSON and the row version; read into the record by the API's own parser.
        await using var command = commands[0].ToCommand(connection, null, p => p.Value is Guid g && g == capturedId ? id : null);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return ClaimLookup.Parse(new ClaimLookup.ClaimDetailJson(reader.GetString(0), reader.GetFieldValue<uint>(1)));
    }

    /// <summary>The projection's columns in EF Core's order (ClaimProjections.ToResponse / ToDetail).</summary>
    private static ClaimResponse ReadClaim(NpgsqlDataReader r) => new(
        r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetFieldValue<Dictionary<string, string>>(3), EnumWords.Parse<ClaimKind>(r.GetString(4)),
        new EntityRef(r.GetGuid(5), r.GetString(6), r.GetString(7)),
        r.GetBoolean(8) ? null : new EntityRef(r.GetGuid(9), r.GetString(10), r.GetString(11)),
        r.GetBoolean(12) ? null : new QuantityResponse(r.GetDecimal(13), r.GetString(14), r.GetBoolean(15),
            NullableString(r, 16), NullableString(r, 17), r.IsDBNull(18) ? null : r.GetDecimal(18), r.IsDBNull(19) ? null : r.GetDecimal(19)),
        r.IsDBNull(20) ? null : r.GetFieldValue<DateOnly>(20),
        r.IsDBNull(21) ? null : EnumWords.Parse<DatePrecision>(r.GetString(21)),
        r.GetBoolean(22) ? null : new ClaimRef(r.GetGuid(23), r.GetString(24), r.GetString(25)),
        r.GetFieldValue<List<string>>(26), EnumWords.Parse<ClaimStatus>(r.GetString(27)), NullableString(r, 28),
        r.IsDBNull(29) ? null : r.GetFieldValue<DateTimeOffset>(29), r.GetFieldValue<DateTimeOffset>(30), r.GetFieldValue<DateTimeOffset>(31));

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    internal static InvalidOperationException Drift(string endpoint, string detail) => new(
        $"The SQL of {endpoint} no longer has the shape the floors replay ({detail}). Update Measure/FloorQueries.cs to read it.");

    /// <summary>
    /// The captured status update, split into its steps (the transaction's commands in the API's order, the lock and the
    /// chain's last row among them), with each write parameter's role found by its captured value.
    /// </summary>
    private sealed record StatusUpdateCommands(
        CapturedCommand Auth, CapturedCommand Load, int LoadXmin, int LoadStatus, CapturedCommand[] Transaction, int LockStep, int LastStep,
        Dictionary<(int Step, string Name), string> Roles, CapturedCommand[] Detail, Guid Id)
    {
        public static int Statements(CapturedCommand command) => command.Text.Split('\n').Count(line =>
            line.StartsWith("UPDATE ", StringComparison.Ordinal) || line.StartsWith("INSERT ", StringComparison.Ordinal));

        public static StatusUpdateCommands From(CapturedRequest request)
        {
            var c = request.Commands;
            var begin = c.ToList().FindIndex(x => x.Text == "BEGIN");
            var commit = c.ToList().FindIndex(x => x.Text == "COMMIT");
            if (begin != 2 || commit < begin + 3 || c.Count != commit + 2)
            {
                throw Drift("status-update", "expected auth, load, BEGIN, lock, last and writes in any order, COMMIT, the detail query");
            }
            var target = request.Target!;
            var load = c[1];
            var columns = load.Text[..load.Text.IndexOf("FROM", StringComparison.Ordinal)].Split(',').Select(s => s.Trim()).ToList();
            // "c.xmin" or "c.xmin AS \"Version\"" (a projection).
            int Column(string name) => columns.FindIndex(s => s.Split(' ')[0].EndsWith($".{name}", StringComparison.Ordinal)) is >= 0 and var i
                ? i : throw Drift("status-update", $"the load has no {name} column");

            var steps = c.Skip(begin + 1).Take(commit - begin - 1).ToArray();
            int Step(string what, Func<CapturedCommand, bool> match) => steps.ToList().FindIndex(x => match(x)) is >= 0 and var i
                ? i : throw Drift("status-update", $"no {what} in the transaction");
            var lockStep = Step("chain lock", x => x.Text.Contains("pg_advisory_xact_lock", StringComparison.Ordinal));
            var lastStep = Step("read of the chain's last row", x => x.Text.StartsWith("SELECT", StringComparison.Ordinal)
                && x.Text.Contains("FROM status_changes", StringComparison.Ordinal));
            if (steps.Where((_, i) => i != lockStep && i != lastStep).Any(x => Statements(x) == 0))
            {
                throw Drift("status-update", "a command in the transaction is neither the lock, the last row, nor a write");
            }

            // The captured writes' values tell which parameter is which.
            // Parameter names repeat across commands (@p3 in an UPDATE and in the INSERT after it): roles are per step.
            var all = steps.SelectMany((x, i) => i == lockStep || i == lastStep ? [] : x.Parameters.Select(p => (Step: i, Parameter: p))).ToList();
            var seq = (long)all.Single(x => x.Parameter.Value is long).Parameter.Value!;
            var from = all.Select(x => x.Parameter.Value).OfType<string>().First(v => v != EnumWords.ToWord(target.To) && EnumWords.TryParse<ClaimStatus>(v, out _));
            var hashes = all.Select(x => x.Parameter.Value).OfType<string>().Where(v => v.Length == 64).Distinct().ToList();
            var roles = new Dictionary<(int Step, string Name), string>();
            foreach (var (step, p) in all)
            {
                roles[(step, p.Name)] = p.Value switch
                {
                    Guid g when g == target.Id => "id",
                    string s when s == EnumWords.ToWord(target.To) => "to",
                    string s when s == from => "from",
                    string s when s == Workload.StatusReason => "reason",
                    string s when s == "bench-editor" => "actor",
                    string s when s.Length == 64 && hashes.Count == 2 => "?hash",
                    DateTimeOffset => "at",
                    uint => "xmin",
                    long => "seq",
                    System.Collections.ICollection { Count: 0 } => "",
                    _ => throw Drift("status-update", $"parameter {p.Name} = {p.Value} has no known role"),
                };
            }
            // The new hash is the one that follows from the others; the other one is prevHash.
            var at = (DateTimeOffset)all.First(x => roles[(x.Step, x.Parameter.Name)] == "at").Parameter.Value!;
            foreach (var (step, p) in all.Where(x => roles[(x.Step, x.Parameter.Name)] == "?hash"))
            {
                var change = new StatusChange
                {
                    Seq = seq, ClaimId = target.Id, From = EnumWords.Parse<ClaimStatus>(from), To = target.To,
                    Reason = Workload.StatusReason, Actor = "bench-editor",
                    At = at, PrevHash = (string)p.Value!, Hash = "",
                };
                roles[(step, p.Name)] = HashChain.ComputeHash(change) == hashes.Single(h => h != (string)p.Value!) ? "prevHash" : "hash";
            }
            foreach (var empty in roles.Where(r => r.Value == "").Select(r => r.Key).ToList()) roles.Remove(empty);
            return new StatusUpdateCommands(c[0], load, Column("xmin"), Column("status"), steps, lockStep, lastStep, roles,
                [.. c.Skip(commit + 1)], target.Id);
        }
    }
}
