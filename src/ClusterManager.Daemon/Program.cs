using ClusterManager.Daemon;
using ClusterManager.Daemon.Api;
using ClusterManager.Daemon.Control;
using ClusterManager.Daemon.Options;
using ClusterManager.Daemon.Raft;
using ClusterManager.Daemon.Security;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using NLog.Extensions.Logging;

// clusterd: one member of the cluster (Raft membership and quorum, the replicated configuration store, the gRPC
// API). Usage: clusterd [--config FILE] [--check] [--Clusterd:Option=value ...]. Exit 0 on a clean stop (or valid
// options with --check), 2 on bad options, 75 when the write-ahead log broke (restart me).
// `clusterd host ...` runs the host agent instead (the pcsd role: Host/HostAgent.cs).
if (args is ["host", .. var hostArgs])
{
    return await ClusterManager.Daemon.Host.HostAgent.RunAsync(hostArgs);
}

var configPath = "/etc/clustermanager/clusterd.json";
var checkOnly = false;
var rest = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] is "--config" or "-c" && i + 1 < args.Length)
    {
        configPath = args[++i];
    }
    else if (args[i] is "--check")
    {
        checkOnly = true;
    }
    else
    {
        rest.Add(args[i]);
    }
}

if (!File.Exists(configPath))
{
    await Console.Error.WriteLineAsync($"clusterd: configuration file {configPath} does not exist (use --config FILE)");
    return 2;
}

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [.. rest] });
builder.Configuration.Sources.Clear();
builder.Configuration
    .AddJsonFile(Path.GetFullPath(configPath), optional: false, reloadOnChange: false)
    .AddEnvironmentVariables("CLUSTERD_")
    .AddCommandLine([.. rest]);

var options = new ClusterdOptions();
builder.Configuration.GetSection(ClusterdOptions.Section).Bind(options);
var validation = new ClusterdOptionsValidator().Validate(null, options);
if (validation.Failed)
{
    foreach (var failure in validation.Failures)
    {
        await Console.Error.WriteLineAsync($"clusterd: {failure}");
    }

    return 2;
}

if (checkOnly)
{
    Console.WriteLine($"clusterd: {configPath}: options are valid (node {options.NodeName}, {options.Nodes.Count} members)");
    return 0;
}

ClusterTls? tls;
IReadOnlySet<string> tokenHashes;
try
{
    tls = ClusterTls.Load(options.Security);
    tokenHashes = ApiCredentials.LoadHashes(options.Security.TokenHashesFile);
}
catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or IOException)
{
    await Console.Error.WriteLineAsync($"clusterd: Clusterd:Security: cannot load the TLS or token files: {ex.Message}");
    return 2;
}

builder.Logging.ClearProviders();
builder.Logging.SetMinimumLevel(LogLevel.Trace);

// ASP.NET Core and gRPC log four lines per request at Information; at thousands of writes per second that would
// dominate the log and the CPU. Their warnings and errors still pass (the lifetime messages too).
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.Logging.AddFilter("Grpc", LogLevel.Warning);
builder.Logging.AddNLog(LoggingSetup.Create(options), new NLogProviderOptions { RemoveLoggerFactoryFilter = false });

builder.Services.AddSingleton<IValidateOptions<ClusterdOptions>, ClusterdOptionsValidator>();
builder.Services.AddOptions<ClusterdOptions>().Bind(builder.Configuration.GetSection(ClusterdOptions.Section)).ValidateOnStart();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<StateEvents>();
builder.Services.AddSingleton<RaftNode>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<RaftNode>());
builder.Services.AddHostedService<WalWatchdog>();
builder.Services.AddHostedService<QuorumMonitor>();
builder.Services.AddHostedService<StuckFollowerMonitor>();
builder.Services.AddSingleton(new NodeSecurity(tls));
builder.Services.AddSingleton(new ApiCredentials(tls, tokenHashes));
builder.Services.AddSingleton<ForwardingClients>();
builder.Services.AddSingleton<NodeRuntime>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<NodeRuntime>());
builder.Services.AddSingleton<Controller>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<Controller>());
builder.Services.AddHostedService<QuorumGuard>();
builder.Services.AddHostedService<JoinAnnouncer>();
builder.Services.AddGrpc(o => o.Interceptors.Add<ApiAuthInterceptor>());

var api = ClusterdOptions.ParseEndPoint(options.Self.ApiEndpoint);
builder.WebHost.ConfigureKestrel(k => k.Listen(api, l =>
{
    l.Protocols = HttpProtocols.Http2;
    if (tls is not null)
    {
        l.UseHttps(https =>
        {
            https.ServerCertificate = tls.Certificate;
            https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
            https.ClientCertificateValidation = (certificate, _, _) => tls.IsTrusted(certificate);
        });
    }
}));

var app = builder.Build();
app.MapGrpcService<ClusterApiService>();
app.MapGrpcService<NodeApiService>();
app.MapGrpcService<MembershipApiService>();
await app.RunAsync();
NLog.LogManager.Shutdown();
return Environment.ExitCode;
