using ClaimTracker.Api.Changes;
using ClaimTracker.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ClaimTracker.Api.Tests.Changes;

/// <summary>The database refuses to rewrite history; verification is checked on the intact seeded chain.</summary>
public sealed class TamperEvidenceTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("UPDATE status_changes SET reason = 'rewritten' WHERE seq = 2")]
    [InlineData("UPDATE status_changes SET actor = 'someone else'")]
    [InlineData("DELETE FROM status_changes WHERE seq = 2")]
    [InlineData("DELETE FROM status_changes")]
    [InlineData("TRUNCATE status_changes")]
    [InlineData("TRUNCATE status_changes CASCADE")]
    public async Task DatabaseRefusesToRewriteTheHistoryEvenForASuperuser(string sql)
    {
        var before = Tampering.Fingerprint(await Tampering.RowsAsync(app));

        var refused = await Assert.ThrowsAsync<PostgresException>(() => Tampering.ExecuteAsync(app, sql));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        Assert.Contains("append-only", refused.MessageText);
        Assert.Equal(before, Tampering.Fingerprint(await Tampering.RowsAsync(app)));
    }

    [Fact]
    public async Task IntactChainVerifiesAsValidWithEveryRowChecked()
    {
        var rows = await Tampering.RowsAsync(app);

        var result = await app.GetJsonAsync<ChainVerificationResponse>("/api/v1/changes/verify");

        Assert.True(rows.Count > 4, "The seed has a history to verify.");
        Assert.Equal(new ChainVerificationResponse(rows.Count, Valid: true, FirstBrokenSeq: null), result);
    }
}

/// <summary>A superuser disables the triggers and rewrites one row's reason: its hash no longer matches.</summary>
public sealed class RewrittenRowTamperTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    [Fact]
    public async Task VerifyNamesTheRewrittenRow()
    {
        var k = await Tampering.MiddleSeqAsync(app);
        await Tampering.BehindTheApisBackAsync(app, "UPDATE status_changes SET reason = 'rewritten' WHERE seq = $1", k);

        var result = await app.GetJsonAsync<ChainVerificationResponse>("/api/v1/changes/verify");

        Assert.Equal(new ChainVerificationResponse(k, Valid: false, FirstBrokenSeq: k), result);
        Assert.Equal("rewritten", (await Tampering.RowsAsync(app)).Single(r => r.Seq == k).Reason);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(-1)] // the rewritten row is the first of a batch
    [InlineData(0)] // the rewritten row is the last of a batch
    public async Task EveryBatchSizeFindsTheSameRow(int batchSize)
    {
        var k = await Tampering.MiddleSeqAsync(app);
        await Tampering.BehindTheApisBackAsync(app, "UPDATE status_changes SET reason = 'rewritten' WHERE seq = $1", k);
        await using var db = app.CreateDbContext();

        var result = await ChainVerification.VerifyAsync(db, batchSize > 0 ? batchSize : (int)k + batchSize, TestContext.Current.CancellationToken);

        Assert.Equal(new ChainVerificationResponse(k, Valid: false, FirstBrokenSeq: k), result);
    }
}

/// <summary>
/// A forger who knows the algorithm rewrites a row and recomputes its hash: the row verifies alone, but the next
/// row's prevHash no longer points at it.
/// </summary>
public sealed class RehashedRowTamperTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    [Fact]
    public async Task VerifyNamesTheRowAfterARehashedOne()
    {
        var k = await Tampering.MiddleSeqAsync(app);
        var forged = (await Tampering.RowsAsync(app)).Single(r => r.Seq == k);
        forged.Reason = "rewritten";
        forged.Hash = HashChain.ComputeHash(forged);
        await Tampering.BehindTheApisBackAsync(app, "UPDATE status_changes SET reason = $2, hash = $3 WHERE seq = $1", k, forged.Reason, forged.Hash);

        var result = await app.GetJsonAsync<ChainVerificationResponse>("/api/v1/changes/verify");

        Assert.Equal(new ChainVerificationResponse(k + 1, Valid: false, FirstBrokenSeq: k + 1), result);
    }
}

/// <summary>A superuser disables the triggers and deletes one row: the chain has a gap.</summary>
public sealed class DeletedRowTamperTests(ClaimTrackerApp app) : IClassFixture<ClaimTrackerApp>
{
    [Theory]
    [InlineData(5000)]
    [InlineData(1)]
    [InlineData(-1)] // the deleted row would have been the first of a batch
    public async Task VerifyNamesTheDeletedSeq(int batchSize)
    {
        var k = await Tampering.MiddleSeqAsync(app);
        await Tampering.BehindTheApisBackAsync(app, "DELETE FROM status_changes WHERE seq = $1", k);
        await using var db = app.CreateDbContext();

        var overHttp = await app.GetJsonAsync<ChainVerificationResponse>("/api/v1/changes/verify");
        var inBatches = await ChainVerification.VerifyAsync(db, batchSize > 0 ? batchSize : (int)k + batchSize, TestContext.Current.CancellationToken);

        // Rows 1..k-1 hold; row k+1 is found where k should be.
        Assert.Equal(new ChainVerificationResponse(k, Valid: false, FirstBrokenSeq: k), overHttp);
        Assert.Equal(overHttp, inBatches);
        Assert.DoesNotContain(await Tampering.RowsAsync(app), r => r.Seq == k);
    }
}

/// <summary>Raw SQL against a test app's database, as its superuser, around the API.</summary>
internal static class Tampering
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<List<StatusChange>> RowsAsync(ClaimTrackerApp app)
    {
        await using var db = app.CreateDbContext();
        return await db.StatusChanges.AsNoTracking().OrderBy(c => c.Seq).ToListAsync(Ct);
    }

    /// <summary>Every stored field of every row, comparable by value.</summary>
    public static List<string> Fingerprint(IEnumerable<StatusChange> rows) =>
    [
        .. rows.Select(c => $"{c.Seq}|{c.ClaimId}|{c.From}|{c.To}|{c.Reason}|{string.Join(",", c.EvidenceAppearanceIds)}|" +
                            $"{string.Join(",", c.EvidenceSourceIds)}|{c.Actor}|{c.At:O}|{c.PrevHash}|{c.Hash}"),
    ];

    /// <summary>A seq in the middle of the seeded chain, the same before and after one row is deleted.</summary>
    public static async Task<long> MiddleSeqAsync(ClaimTrackerApp app)
    {
        await using var db = app.CreateDbContext();
        var last = await db.StatusChanges.MaxAsync(c => c.Seq, Ct);
        Assert.True(last >= 6, "The seed has a history long enough to tamper with.");
        return last / 2;
    }

    public static async Task ExecuteAsync(ClaimTrackerApp app, string sql)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    /// <summary>Runs <paramref name="sql"/> ($1, $2… bound to <paramref name="values"/>) with the append-only triggers disabled.</summary>
    public static async Task BehindTheApisBackAsync(ClaimTrackerApp app, string sql, params object[] values)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("ALTER TABLE status_changes DISABLE TRIGGER USER"));
        var tamper = new NpgsqlBatchCommand(sql);
        foreach (var value in values) tamper.Parameters.Add(new NpgsqlParameter { Value = value });
        batch.BatchCommands.Add(tamper);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("ALTER TABLE status_changes ENABLE TRIGGER USER"));
        await batch.ExecuteNonQueryAsync(Ct);
        await transaction.CommitAsync(Ct);
    }
}
