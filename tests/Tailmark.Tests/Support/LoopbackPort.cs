using System.Net;
using System.Net.Sockets;

namespace Tailmark.Tests.Support;

/// <summary>Loopback ports for tests of servers that are not there, and for servers the tests start.</summary>
public static class LoopbackPort
{
    /// <summary>A loopback port nothing listens on: bound, read, released.</summary>
    public static int Closed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A free port for a child server to bind (another process could take it first: callers retry once the bind fails).</summary>
    public static int Free() => Closed();

    /// <summary>Whether something accepts connections on PORT.</summary>
    public static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
