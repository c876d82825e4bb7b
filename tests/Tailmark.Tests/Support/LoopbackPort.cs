using System.Net;
using System.Net.Sockets;

namespace Tailmark.Tests.Support;

/// <summary>Loopback ports for tests of servers that are not there.</summary>
public static class LoopbackPort
{
    /// <summary>A loopback port nothing listens on: bound, read, released.</summary>
    public static int Closed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
