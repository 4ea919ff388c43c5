using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Http;

namespace ClaimTracker.Api.Changes;

/// <summary>
/// The status history's hash chain: hash = SHA-256(prevHash as ASCII hex ‖ canonical bytes of the row),
/// where the canonical bytes are the UTF-8 JSON array
/// [seq, claimId, from, to, reason, evidenceAppearanceIds (sorted), evidenceSourceIds (sorted), actor, at].
/// </summary>
public static class HashChain
{
    /// <summary>The prevHash of the first row.</summary>
    public static readonly string Genesis = new('0', 64);

    public static string ComputeHash(StatusChange change)
    {
        var canonical = JsonSerializer.SerializeToUtf8Bytes(new object?[]
        {
            change.Seq,
            change.ClaimId.ToString("D"),
            EnumWords.ToWord(change.From),
            EnumWords.ToWord(change.To),
            change.Reason,
            change.EvidenceAppearanceIds.Order().Select(id => id.ToString("D")).ToArray(),
            change.EvidenceSourceIds.Order().Select(id => id.ToString("D")).ToArray(),
            change.Actor,
            // PostgreSQL keeps microseconds: the hashed time must be the stored time.
            change.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
        });
        var prev = Encoding.ASCII.GetBytes(change.PrevHash);
        var bytes = new byte[prev.Length + canonical.Length];
        prev.CopyTo(bytes, 0);
        canonical.CopyTo(bytes, prev.Length);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>
    /// The chain's next row: <paramref name="move"/> of claim <paramref name="claimId"/> after the row numbered
    /// <paramref name="lastSeq"/> with hash <paramref name="lastHash"/> (0 and <see cref="Genesis"/> at the start), hashed.
    /// The API appends it under the chain lock (<see cref="StatusHistory.WriteAsync"/>); the benchmark's generator links a
    /// whole chain with it.
    /// </summary>
    public static StatusChange Link(long lastSeq, string lastHash, Guid claimId, StatusMove move)
    {
        var change = new StatusChange
        {
            Seq = lastSeq + 1,
            ClaimId = claimId,
            From = move.From,
            To = move.To,
            Reason = move.Reason,
            EvidenceAppearanceIds = [.. move.EvidenceAppearanceIds],
            EvidenceSourceIds = [.. move.EvidenceSourceIds],
            Actor = move.Actor,
            At = ToStoredPrecision(move.At),
            PrevHash = lastHash,
            Hash = "",
        };
        change.Hash = ComputeHash(change);
        return change;
    }

    /// <summary>Truncates a time to PostgreSQL's microsecond precision.</summary>
    public static DateTimeOffset ToStoredPrecision(DateTimeOffset at) =>
        new(at.UtcTicks - at.UtcTicks % 10, TimeSpan.Zero);

    /// <summary>
    /// Checks rows given in seq order, continuing from <paramref name="previous"/> (the last checked row, or null
    /// at the start). Returns the seq of the first row whose link or hash is wrong, or null.
    /// </summary>
    public static long? FirstBroken(IEnumerable<StatusChange> rowsInSeqOrder, StatusChange? previous = null)
    {
        var expectedPrevHash = previous?.Hash ?? Genesis;
        var expectedSeq = (previous?.Seq ?? 0) + 1;
        foreach (var row in rowsInSeqOrder)
        {
            if (row.Seq != expectedSeq || row.PrevHash != expectedPrevHash || ComputeHash(row) != row.Hash)
            {
                return row.Seq;
            }
            expectedPrevHash = row.Hash;
            expectedSeq = row.Seq + 1;
        }
        return null;
    }
}
