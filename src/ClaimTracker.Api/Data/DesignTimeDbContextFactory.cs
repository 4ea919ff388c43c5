using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ClaimTracker.Api.Data;

/// <summary>Lets `dotnet ef migrations add` build the model without starting a database.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<ClaimTrackerDbContext>
{
    public ClaimTrackerDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ClaimTrackerDbContext>()
            .UseNpgsql("Host=localhost;Database=claimtracker_design")
            .UseSnakeCaseNamingConvention()
            .Options);
}
