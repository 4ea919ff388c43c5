using ClaimTracker.Api.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClaimTracker.Api.Data;

internal static class ModelRules
{
    /// <summary>A CHECK constraint that the column holds one of the enum's words.</summary>
    public static void HasWordCheck<TEntity, TEnum>(this EntityTypeBuilder<TEntity> builder, string column)
        where TEntity : class where TEnum : struct, Enum =>
        builder.ToTable(t => t.HasCheckConstraint(
            $"ck_{builder.Metadata.GetTableName()}_{column}",
            $"{column} IN ({string.Join(", ", EnumWords.All<TEnum>().Select(w => $"'{w}'"))})"));
}
