using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ClusterManager.Lab.Tests;

/// <summary>An HTTP answer through the virtual IP: the status, the node haproxy ran on (its X-Cmlab-Node header), the page.</summary>
internal sealed record HttpAnswer(int Status, string? Node, string Body);

/// <summary>
/// One HTTP/1.0 GET on a new TCP connection (never a pooled one, which could outlive the haproxy it was made to),
/// bounded by a timeout; null when nothing answered in time.
/// </summary>
internal static class HttpProbe
{
    private static readonly byte[] Request = Encoding.ASCII.GetBytes("GET / HTTP/1.0\r\nHost: cmlab\r\nConnection: close\r\n\r\n");

    public static async Task<HttpAnswer?> GetAsync(IPAddress address, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, 80), limit.Token).ConfigureAwait(false);
            await socket.SendAsync(Request, SocketFlags.None, limit.Token).ConfigureAwait(false);
            var response = new MemoryStream();
            var buffer = new byte[4096];
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, limit.Token).ConfigureAwait(false)) > 0)
            {
                response.Write(buffer, 0, read);
            }

            return Parse(Encoding.ASCII.GetString(response.GetBuffer(), 0, (int)response.Length));
        }
        catch (SocketException)
        {
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static HttpAnswer? Parse(string text)
    {
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return null;
        }

        var lines = text[..end].Split("\r\n");
        var status = lines[0].Split(' ');
        if (status.Length < 2 || !int.TryParse(status[1], System.Globalization.CultureInfo.InvariantCulture, out var code))
        {
            return null;
        }

        var node = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals("X-Cmlab-Node", StringComparison.OrdinalIgnoreCase))
            .Select(p => p[1].Trim()).FirstOrDefault();
        return new HttpAnswer(code, node, text[(end + 4)..]);
    }
}
