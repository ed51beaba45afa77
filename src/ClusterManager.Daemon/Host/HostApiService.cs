using System.Reflection;
using ClusterManager.Api.V1;
using Grpc.Core;

namespace ClusterManager.Daemon.Host;

/// <summary>
/// The host agent's gRPC service (proto/clustermanager/v1/host.proto). Auth is open (it is the way in) and checks
/// the account with PAM; everything else needs a token Auth issued. Changes of the node (push, start, stop, enable,
/// disable, destroy) run one at a time.
/// </summary>
internal sealed partial class HostApiService(
    HostAgentOptions options,
    PamAuthenticator authenticator,
    HostTokenStore tokens,
    ClusterdInstallation installation,
    IClusterdService clusterd,
    TimeProvider time,
    ILogger<HostApiService> logger) : HostService.HostServiceBase
{
    private const string AuthFailed =
        "authentication failed: wrong user name or password, or the user may not manage the cluster (it must be hacluster or in group haclient)";

    private static readonly SemaphoreSlim Changes = new(1, 1);

    private static string Version => typeof(HostApiService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public override async Task<HostAuthResponse> Auth(HostAuthRequest request, ServerCallContext context)
    {
        var peer = context.GetHttpContext().Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (request.User.Length == 0 || request.Password.Length == 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "a user name and a password are required"));
        }

        var check = await Task.Run(() => authenticator.Check(request.User, request.Password, peer), context.CancellationToken).ConfigureAwait(false);
        if (!check.Accepted)
        {
            LogAuthRefused(logger, request.User, peer, check.Reason);
            throw new RpcException(new Status(StatusCode.Unauthenticated, AuthFailed));
        }

        var token = tokens.Issue(request.User, request.HostName, time.GetUtcNow());
        LogAuthAccepted(logger, request.User, peer, check.Reason, request.HostName);
        return new HostAuthResponse { Token = token };
    }

    public override Task<HostDeauthResponse> Deauth(HostDeauthRequest request, ServerCallContext context)
    {
        var (user, token) = Authorize(context);
        tokens.Revoke(token);
        LogDeauth(logger, user, Peer(context));
        return Task.FromResult(new HostDeauthResponse());
    }

    public override async Task<HostStatusResponse> Status(HostStatusRequest request, ServerCallContext context)
    {
        Authorize(context);
        return await StatusAsync(context.CancellationToken).ConfigureAwait(false);
    }

    public override Task<HostServiceResponse> PushSetup(HostPushSetupRequest request, ServerCallContext context) =>
        ChangeAsync(context, "push-setup", async cancellationToken =>
        {
            var tls = request.CaPem.Length > 0;
            if (tls && (request.CertificatePem.Length == 0 || request.KeyPem.Length == 0))
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "the CA comes with this node's certificate and key"));
            }

            if (tls)
            {
                try
                {
                    using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(request.CertificatePem, request.KeyPem);
                    using var ca = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(request.CaPem);
                }
                catch (System.Security.Cryptography.CryptographicException e)
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument, $"the pushed certificate, key or CA is not valid PEM: {e.Message}"));
                }
            }

            var plan = installation.Plan(request.ClusterName, request.ClusterdJson, tls, request.TokenHashes.Length > 0);
            if (plan.Error is not null)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, plan.Error));
            }

            if ((await clusterd.GetStateAsync(cancellationToken).ConfigureAwait(false)).Running)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition,
                    "clusterd is running on this node: it is in a cluster already (hactl cluster stop, then hactl cluster destroy, first)"));
            }

            if (plan.Conflict && !request.Force)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"{installation.ConflictDescription()}; use --force to replace it"));
            }

            installation.Install(plan, request.ClusterName, request.CaPem, request.CertificatePem, request.KeyPem, request.TokenHashes);
            return ServiceResult.Done($"cluster '{request.ClusterName}' configuration installed (node {plan.NodeName}, {installation.ConfigFile})");
        });

    public override Task<HostServiceResponse> Start(HostServiceRequest request, ServerCallContext context) =>
        ChangeAsync(context, "start", cancellationToken =>
        {
            if (!installation.Configured)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, "this node has no cluster configuration (hactl cluster setup first)"));
            }

            return clusterd.StartAsync(installation.ConfigFile, cancellationToken);
        });

    public override Task<HostServiceResponse> Stop(HostServiceRequest request, ServerCallContext context) =>
        ChangeAsync(context, "stop", clusterd.StopAsync);

    public override Task<HostServiceResponse> Enable(HostServiceRequest request, ServerCallContext context) =>
        ChangeAsync(context, "enable", cancellationToken =>
        {
            if (!installation.Configured)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, "this node has no cluster configuration (hactl cluster setup first)"));
            }

            return clusterd.EnableAsync(cancellationToken);
        });

    public override Task<HostServiceResponse> Disable(HostServiceRequest request, ServerCallContext context) =>
        ChangeAsync(context, "disable", clusterd.DisableAsync);

    public override Task<HostServiceResponse> Destroy(HostServiceRequest request, ServerCallContext context) =>
        ChangeAsync(context, "destroy", async cancellationToken =>
        {
            var stopped = await clusterd.StopAsync(cancellationToken).ConfigureAwait(false);
            if (!stopped.Succeeded)
            {
                return stopped;
            }

            var disabled = await clusterd.DisableAsync(cancellationToken).ConfigureAwait(false);
            if (!disabled.Succeeded)
            {
                return disabled;
            }

            var removed = installation.Remove();
            return ServiceResult.Done(removed.Count == 0
                ? "no cluster configuration or data on this node; clusterd stopped and disabled"
                : $"clusterd stopped and disabled; removed {string.Join(", ", removed)}");
        });

    private async Task<HostServiceResponse> ChangeAsync(ServerCallContext context, string action, Func<CancellationToken, Task<ServiceResult>> change)
    {
        var (user, _) = Authorize(context);
        var cancellationToken = context.CancellationToken;
        await Changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        ServiceResult result;
        try
        {
            result = await change(cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            LogRefused(logger, action, user, Peer(context), e.Status.Detail);
            throw;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogFailed(logger, action, user, Peer(context), e.Message);
            throw new RpcException(new Status(StatusCode.Internal, $"{action} failed: {e.Message}"));
        }
        finally
        {
            Changes.Release();
        }

        if (!result.Succeeded)
        {
            LogFailed(logger, action, user, Peer(context), result.Message);
            throw new RpcException(new Status(StatusCode.Internal, result.Message));
        }

        LogDone(logger, action, user, Peer(context), result.Message);
        return new HostServiceResponse { Message = result.Message, Status = await StatusAsync(cancellationToken).ConfigureAwait(false) };
    }

    private async Task<HostStatusResponse> StatusAsync(CancellationToken cancellationToken)
    {
        var state = await clusterd.GetStateAsync(cancellationToken).ConfigureAwait(false);
        var (clusterName, nodeName) = installation.Describe();
        return new HostStatusResponse
        {
            Configured = installation.Configured,
            ClusterName = clusterName,
            NodeName = nodeName,
            Running = state.Running,
            Enabled = state.Enabled,
            ServiceManager = clusterd.Kind,
            Version = Version,
        };
    }

    /// <summary>The token's user, and the token; UNAUTHENTICATED without a valid one.</summary>
    private (string User, string Token) Authorize(ServerCallContext context)
    {
        var header = context.RequestHeaders.GetValue("authorization");
        if (header is not null && header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            var token = header["Bearer ".Length..].Trim();
            if (tokens.UserOf(token) is { } user)
            {
                return (user, token);
            }
        }

        LogNoToken(logger, context.Method, Peer(context));
        throw new RpcException(new Status(StatusCode.Unauthenticated,
            $"not authenticated to this node's host agent (port {options.Port}): run hactl host auth for it"));
    }

    private static string Peer(ServerCallContext context) => context.GetHttpContext().Connection.RemoteIpAddress?.ToString() ?? "unknown";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Authentication of {User} from {Peer} refused: {Reason}")]
    private static partial void LogAuthRefused(ILogger logger, string user, string peer, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Authenticated {User} from {Peer} ({Reason}) as host {HostName}: token issued")]
    private static partial void LogAuthAccepted(ILogger logger, string user, string peer, string reason, string hostName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Token of {User} revoked on request from {Peer}")]
    private static partial void LogDeauth(ILogger logger, string user, string peer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {Method} from {Peer} without a valid token refused")]
    private static partial void LogNoToken(ILogger logger, string method, string peer);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Action} by {User} from {Peer}: {Result}")]
    private static partial void LogDone(ILogger logger, string action, string user, string peer, string result);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Action} by {User} from {Peer} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string action, string user, string peer, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Action} by {User} from {Peer} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string action, string user, string peer, string reason);
}
