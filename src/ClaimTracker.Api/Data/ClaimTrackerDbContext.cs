using ClaimTracker.Api.Appearances;
using ClaimTracker.Api.Auth;
using ClaimTracker.Api.Changes;
using ClaimTracker.Api.Claims;
using ClaimTracker.Api.Entities;
using ClaimTracker.Api.Idempotency;
using ClaimTracker.Api.Matching;
using ClaimTracker.Api.Sources;
using ClaimTracker.Api.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace ClaimTracker.Api.Data;

public sealed class ClaimTrackerDbContext(DbContextOptions<ClaimTrackerDbContext> options) : DbContext(options)
{
    public DbSet<Claim> Claims => Set<Claim>();
    public DbSet<Entity> Entities => Set<Entity>();
    public DbSet<Source> Sources => Set<Source>();
    public DbSet<SourceRevision> SourceRevisions => Set<SourceRevision>();
    public DbSet<Appearance> Appearances => Set<Appearance>();
    public DbSet<StatusChange> StatusChanges => Set<StatusChange>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<ClaimLink> ClaimLinks => Set<ClaimLink>();
    public DbSet<WebhookSubscription> WebhookSubscriptions => Set<WebhookSubscription>();
    public DbSet<WebhookEvent> WebhookEvents => Set<WebhookEvent>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<WebhookAttempt> WebhookAttempts => Set<WebhookAttempt>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // contrib extensions shipped with PostgreSQL (Debian's `postgresql`, the `postgres` image)
        modelBuilder.HasPostgresExtension("hstore");
        modelBuilder.HasPostgresExtension("pg_trgm");
        modelBuilder.HasPostgresExtension("unaccent");
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ClaimTrackerDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Enums are stored as the contract's words, so the SQL reads like the API.
        configurationBuilder.Properties<ClaimKind>().HaveConversion<EnumWordConverter<ClaimKind>>().HaveMaxLength(32);
        configurationBuilder.Properties<ClaimStatus>().HaveConversion<EnumWordConverter<ClaimStatus>>().HaveMaxLength(32);
        configurationBuilder.Properties<DatePrecision>().HaveConversion<EnumWordConverter<DatePrecision>>().HaveMaxLength(32);
        configurationBuilder.Properties<EntityKind>().HaveConversion<EnumWordConverter<EntityKind>>().HaveMaxLength(32);
        configurationBuilder.Properties<SourceKind>().HaveConversion<EnumWordConverter<SourceKind>>().HaveMaxLength(32);
        configurationBuilder.Properties<SourceReliability>().HaveConversion<EnumWordConverter<SourceReliability>>().HaveMaxLength(32);
        configurationBuilder.Properties<Stance>().HaveConversion<EnumWordConverter<Stance>>().HaveMaxLength(32);
        configurationBuilder.Properties<Role>().HaveConversion<EnumWordConverter<Role>>().HaveMaxLength(32);
        configurationBuilder.Properties<AnchorState>().HaveConversion<EnumWordConverter<AnchorState>>().HaveMaxLength(32);
        configurationBuilder.Properties<LinkRelation>().HaveConversion<EnumWordConverter<LinkRelation>>().HaveMaxLength(32);
        configurationBuilder.Properties<LinkState>().HaveConversion<EnumWordConverter<LinkState>>().HaveMaxLength(32);
        configurationBuilder.Properties<DeliveryState>().HaveConversion<EnumWordConverter<DeliveryState>>().HaveMaxLength(32);
    }
}
