namespace Tailmark.Tests.Support;

/// <summary>One PostgreSQL server for the tests of the <see cref="PostgresCollection"/> (they run one after another; each makes its own database).</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
    }
}
