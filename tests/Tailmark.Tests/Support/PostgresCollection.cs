namespace Tailmark.Tests.Support;

/// <summary>The tests that share one <see cref="PostgresFixture"/>: <c>[Collection(PostgresCollection.Name)]</c>.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL";
}
