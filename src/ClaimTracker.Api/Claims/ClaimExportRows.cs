using System.Linq.Expressions;
using ClaimTracker.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace ClaimTracker.Api.Claims;

/// <summary>
/// The rows of one export, read from the database as they are written out. A search (`q`) runs in its search transaction
/// (<see cref="SearchTransaction"/>), but its time limit covers the search only, up to the first row: a sort over the
/// matches is done by then, and the rows after it arrive at the pace of the client's download, which a statement
/// timeout would cut off mid-file. So the server-side timeout is lifted and the first row is awaited under a timer.
/// </summary>
public sealed class ClaimExportRows : IAsyncDisposable
{
    private readonly IDbContextTransaction? _transaction;
    private readonly CancellationTokenSource _firstRow;
    private readonly IAsyncEnumerator<ClaimExportRow> _rows;
    private bool _hasFirst;

    private ClaimExportRows(IDbContextTransaction? transaction, CancellationTokenSource firstRow, IAsyncEnumerator<ClaimExportRow> rows) =>
        (_transaction, _firstRow, _rows) = (transaction, firstRow, rows);

    /// <summary>Runs the export's query up to its first row; null when a search took longer than the statement timeout.</summary>
    public static async Task<ClaimExportRows?> OpenAsync(
        ClaimTrackerDbContext db, ClaimFilter filter, SearchOptions options, CancellationToken cancellationToken)
    {
        var firstRow = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        IDbContextTransaction? transaction = null;
        IAsyncEnumerator<ClaimExportRow>? enumerator = null;
        try
        {
            transaction = await SearchTransaction.BeginAsync(db, filter, options, cancellationToken);
            if (transaction is not null)
            {
                await db.Database.ExecuteSqlAsync($"SELECT set_config('statement_timeout', '0', true)", cancellationToken);
                firstRow.CancelAfter(options.StatementTimeoutMs);
            }
            var query = ClaimSorts.Ordered(filter.Apply(db.Claims.AsNoTracking()), filter).Select(ToRow);
            enumerator = query.AsAsyncEnumerable().GetAsyncEnumerator(firstRow.Token);
            var rows = new ClaimExportRows(transaction, firstRow, enumerator) { _hasFirst = await enumerator.MoveNextAsync() };
            // From here on only the request's own cancellation applies.
            firstRow.CancelAfter(Timeout.Infinite);
            return rows;
        }
        catch (Exception e) when (IsTimeout(e, cancellationToken))
        {
            await DisposeAsync(transaction, firstRow, enumerator);
            return null;
        }
        catch
        {
            await DisposeAsync(transaction, firstRow, enumerator);
            throw;
        }
    }

    /// <summary>Every row, the first one included; enumerate once.</summary>
    public async IAsyncEnumerable<ClaimExportRow> ReadAllAsync()
    {
        if (!_hasFirst) yield break;
        yield return _rows.Current;
        while (await _rows.MoveNextAsync()) yield return _rows.Current;
    }

    public ValueTask DisposeAsync() => DisposeAsync(_transaction, _firstRow, _rows);

    private static async ValueTask DisposeAsync(
        IDbContextTransaction? transaction, CancellationTokenSource firstRow, IAsyncEnumerator<ClaimExportRow>? rows)
    {
        if (rows is not null) await rows.DisposeAsync();
        // Read-only: rolling back ends the search transaction and its settings.
        if (transaction is not null) await transaction.DisposeAsync();
        firstRow.Dispose();
    }

    /// <summary>The timer, not the client, cancelled the query (Npgsql reports it as cancelled, PostgreSQL as 57014).</summary>
    private static bool IsTimeout(Exception exception, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested &&
        exception is OperationCanceledException or PostgresException { SqlState: PostgresErrorCodes.QueryCanceled };

    private static readonly Expression<Func<Claim, ClaimExportRow>> ToRow = c => new ClaimExportRow(
        c.Id, c.Slug, c.Statement, c.Kind, c.Status, c.StatusReason, c.StatusChangedAt,
        c.Subject.Slug, c.Claimant == null ? null : c.Claimant.Slug, c.Tags, c.PartOf == null ? null : c.PartOf.Slug,
        c.Quantity == null ? null : c.Quantity.Amount, c.Quantity == null ? null : c.Quantity.Unit,
        c.Quantity == null ? null : c.Quantity.Approximate, c.Quantity == null ? null : c.Quantity.Period,
        c.Quantity == null ? null : c.Quantity.Scope, c.OccurredOn, c.DatePrecision, c.UpdatedAt);
}
