using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ClusterManager.Api.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace ClusterManager.Cli.Commands.Host;

/// <summary>
/// A connection to one node's host agent (<c>clusterd host</c>, port 2224) over TLS. The agent's certificate is
/// self-signed: it is accepted when its SHA-256 fingerprint equals the pinned one, or, with no pin yet (the first
/// <c>host auth</c>), whatever it is (trust on first use); <see cref="SeenFingerprint"/> tells which it was.
/// Calls carry the node's token and a deadline.
/// </summary>
internal sealed class HostAgentClient : IDisposable
{
    /// <summary>The agent's port when addr= gives none (pcsd's).</summary>
    public const int DefaultPort = 2224;

    private readonly GrpcChannel _channel;
    private readonly string? _token;
    private readonly TimeSpan _timeout;

    public HostAgentClient(string name, string address, int port, string? token, string? pinnedFingerprint, TimeSpan timeout)
    {
        Name = name;
        EndPoint = address.Contains(':', StringComparison.Ordinal) ? $"[{address}]:{port}" : $"{address}:{port}";
        PinnedFingerprint = pinnedFingerprint;
        _token = token;
        _timeout = timeout;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(Math.Min(10, timeout.TotalSeconds)),
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    if (certificate is null)
                    {
                        return false;
                    }

                    SeenFingerprint = Fingerprint(certificate);
                    return pinnedFingerprint is null || string.Equals(SeenFingerprint, pinnedFingerprint, StringComparison.OrdinalIgnoreCase);
                },
            },
        };
        _channel = GrpcChannel.ForAddress($"https://{EndPoint}", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        Service = new HostService.HostServiceClient(_channel);
    }

    /// <summary>A client for a known host, its fingerprint pinned.</summary>
    public static HostAgentClient For(string name, KnownHost host, TimeSpan timeout) =>
        new(name, host.Address, host.Port, host.Token, host.Fingerprint, timeout);

    /// <summary>The node's name, as the operator gave it.</summary>
    public string Name { get; }

    /// <summary><c>IP:PORT</c> of the agent.</summary>
    public string EndPoint { get; }

    public string? PinnedFingerprint { get; }

    /// <summary>The fingerprint of the certificate the agent presented (null before a TLS handshake).</summary>
    public string? SeenFingerprint { get; private set; }

    public HostService.HostServiceClient Service { get; }

    /// <summary>Call options: the token (when there is one), the deadline, the cancellation.</summary>
    public CallOptions Options(CancellationToken cancellationToken)
    {
        var headers = new Metadata();
        if (_token is not null)
        {
            headers.Add("authorization", $"Bearer {_token}");
        }

        return new CallOptions(headers, DateTime.UtcNow + _timeout, cancellationToken);
    }

    /// <summary>SHA-256 of a certificate as uppercase hex pairs joined by ':' (as the agent logs it).</summary>
    public static string Fingerprint(X509Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return string.Join(':', certificate.GetCertHash(HashAlgorithmName.SHA256).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>What went wrong talking to this node, for the operator: names the node and says what to do.</summary>
    public string Describe(RpcException error, bool authenticating = false)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (PinnedFingerprint is not null && SeenFingerprint is not null && !string.Equals(SeenFingerprint, PinnedFingerprint, StringComparison.OrdinalIgnoreCase))
        {
            return $"{Name} ({EndPoint}): the host agent's certificate fingerprint changed (pinned {PinnedFingerprint}, now {SeenFingerprint}); "
                   + $"if the node was reinstalled, run 'hactl host deauth {Name}' and 'hactl host auth {Name}' again, otherwise the connection may be intercepted";
        }

        return error.StatusCode switch
        {
            StatusCode.Unavailable or StatusCode.DeadlineExceeded =>
                $"{Name} ({EndPoint}): unreachable: {Cause(error)} (is the host agent running there? systemctl status clusterd-host)",
            StatusCode.Unauthenticated when authenticating => $"{Name}: {error.Status.Detail}",
            StatusCode.Unauthenticated => $"{Name}: not authenticated ({error.Status.Detail}); run 'hactl host auth {Name}'",
            StatusCode.Unimplemented => $"{Name} ({EndPoint}): this is not a ClusterManager host agent (the service is unknown there)",
            _ => $"{Name}: {error.Status.Detail}",
        };
    }

    public void Dispose() => _channel.Dispose();

    private static string Cause(RpcException error)
    {
        var inner = error.Status.DebugException;
        while (inner?.InnerException is not null && inner is not System.Net.Sockets.SocketException)
        {
            inner = inner.InnerException;
        }

        return inner switch
        {
            System.Net.Sockets.SocketException socket => socket.Message,
            HttpRequestException { StatusCode: HttpStatusCode code } => $"HTTP {(int)code}",
            not null => inner.Message,
            null => error.StatusCode == StatusCode.DeadlineExceeded ? "no answer in time" : error.Status.Detail,
        };
    }
}
