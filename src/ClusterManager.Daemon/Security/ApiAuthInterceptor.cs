using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ClusterManager.Daemon.Security;

/// <summary>
/// Refuses an API call (UNAUTHENTICATED) unless the caller presented a client certificate issued by the cluster CA
/// (checked by Kestrel's TLS handshake) or a bearer token whose SHA-256 is in the token file. Active when TLS or a
/// token file is configured.
/// </summary>
internal sealed class ApiAuthInterceptor(ApiCredentials credentials) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        credentials.Authenticate(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        credentials.Authenticate(context);
        return continuation(request, responseStream, context);
    }
}

/// <summary>What the API accepts as proof of identity; see <see cref="ApiAuthInterceptor"/>.</summary>
internal sealed class ApiCredentials(ClusterTls? tls, IReadOnlySet<string> tokenHashes)
{
    public bool Required => tls is not null || tokenHashes.Count > 0;

    public void Authenticate(ServerCallContext context)
    {
        if (!Required)
        {
            return;
        }

        var certificate = context.GetHttpContext().Connection.ClientCertificate;
        if (certificate is not null && tls is not null && tls.IsTrusted(certificate))
        {
            return;
        }

        var header = context.RequestHeaders.GetValue("authorization");
        if (header is not null && header.StartsWith("Bearer ", StringComparison.Ordinal) && tokenHashes.Contains(Hash(header["Bearer ".Length..].Trim())))
        {
            return;
        }

        throw new RpcException(new Status(StatusCode.Unauthenticated, "a client certificate issued by the cluster CA or a valid bearer token is required"));
    }

    /// <summary>Lowercase hex SHA-256 of a token, as the token file stores it.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Reads a token file (<c>user:hash</c> or <c>hash</c> per line, '#' comments); empty when no file is configured.</summary>
    public static IReadOnlySet<string> LoadHashes(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return new HashSet<string>();
        }

        return File.ReadAllLines(path)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l[(l.LastIndexOf(':') + 1)..].Trim().ToLowerInvariant())
            .ToHashSet(StringComparer.Ordinal);
    }
}
