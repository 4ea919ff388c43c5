using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ClaimTracker.Api.Data;

public static class DbErrors
{
    /// <summary>True when the save failed on the unique index <paramref name="constraint"/> (a race lost to another insert).</summary>
    public static bool IsUniqueViolation(this DbUpdateException e, string constraint) =>
        e is not DbUpdateConcurrencyException
        && e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg
        && pg.ConstraintName == constraint;
}
