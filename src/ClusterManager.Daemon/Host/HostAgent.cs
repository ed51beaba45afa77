using System.Net;
using ClusterManager.Daemon.Options;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using NLog.Extensions.Logging;

namespace ClusterManager.Daemon.Host;

/// <summary>
/// <c>clusterd host</c>: the host agent that runs on every node whether or not it is in a cluster (the pcsd role,
/// deploy/clusterd-host.service). It lets hactl on one node authenticate to the others with a local account
/// (<c>hactl host auth</c>), install a cluster's configuration on them (<c>hactl cluster setup</c>) and start, stop,
/// enable, disable or destroy clusterd there (<c>hactl cluster start --all</c>). It is the clusterd binary in
/// another mode: same gRPC stack and contract build, one thing to install, and the process mode starts clusterd
/// from the agent's own executable.
/// </summary>
internal static partial class HostAgent
{
    /// <summary>The agent's configuration file; optional (every option has a default).</summary>
    public const string DefaultConfigFile = "/etc/clustermanager/clusterd-host.json";

    /// <summary>
    /// Runs the agent. Usage: <c>clusterd host [--config FILE] [--check] [--Host:Option=value ...]</c>. Exit 0 on a
    /// clean stop (or valid options with --check), 2 on bad options or unusable state files.
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var configPath = DefaultConfigFile;
        var explicitConfig = false;
        var checkOnly = false;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--config" or "-c" && i + 1 < args.Length)
            {
                configPath = args[++i];
                explicitConfig = true;
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

        if (explicitConfig && !File.Exists(configPath))
        {
            await Console.Error.WriteLineAsync($"clusterd host: configuration file {configPath} does not exist").ConfigureAwait(false);
            return 2;
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [.. rest] });
        builder.Configuration.Sources.Clear();
        builder.Configuration
            .AddJsonFile(Path.GetFullPath(configPath), optional: !explicitConfig, reloadOnChange: false)
            .AddEnvironmentVariables("CLUSTERD_")
            .AddCommandLine([.. rest]);
        var options = new HostAgentOptions();
        builder.Configuration.GetSection(HostAgentOptions.Section).Bind(options);
        var errors = options.Validate();
        foreach (var error in errors)
        {
            await Console.Error.WriteLineAsync($"clusterd host: {error}").ConfigureAwait(false);
        }

        if (errors.Count > 0)
        {
            return 2;
        }

        if (checkOnly)
        {
            Console.WriteLine($"clusterd host: options are valid (port {options.Port}, state {options.StateDirectory}, {options.ServiceManager})");
            return 0;
        }

        if (OperatingSystem.IsWindows())
        {
            await Console.Error.WriteLineAsync("clusterd host: needs Linux (PAM, file modes, systemd)").ConfigureAwait(false);
            return 2;
        }

        System.Security.Cryptography.X509Certificates.X509Certificate2 certificate;
        bool created;
        HostTokenStore tokens;
        try
        {
            Directory.CreateDirectory(options.StateDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            (certificate, created) = HostCertificate.LoadOrCreate(options.StateDirectory, TimeProvider.System);
            tokens = HostTokenStore.Load(options.StateDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            await Console.Error.WriteLineAsync($"clusterd host: cannot use the state directory {options.StateDirectory}: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        builder.Logging.AddNLog(
            LoggingSetup.Create(new ClusterdOptions { NodeName = "host", LogLevel = options.LogLevel, LogDirectory = options.LogDirectory }),
            new NLogProviderOptions { RemoveLoggerFactoryFilter = false });

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(tokens);
        builder.Services.AddSingleton<PamAuthenticator>();
        builder.Services.AddSingleton<ClusterdInstallation>();
        if (options.ServiceManager == "process")
        {
            builder.Services.AddSingleton<IClusterdService>(new ProcessClusterdService(options));
            builder.Services.AddHostedService<ClusterdAutostart>();
        }
        else
        {
            builder.Services.AddSingleton<IClusterdService>(new SystemdClusterdService(options.ClusterdUnit));
        }

        builder.Services.AddGrpc();
        builder.WebHost.ConfigureKestrel(k =>
        {
            void Configure(ListenOptions listen)
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.UseHttps(certificate);
            }

            if (options.ListenAddress == "*")
            {
                k.ListenAnyIP(options.Port, Configure);
            }
            else
            {
                k.Listen(IPAddress.Parse(options.ListenAddress), options.Port, Configure);
            }
        });

        var app = builder.Build();
        app.MapGrpcService<HostApiService>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ClusterManager.Daemon.Host.HostAgent");
        LogStarting(logger, options.ListenAddress, options.Port, HostCertificate.Fingerprint(certificate), created ? "created now" : "kept",
            options.ServiceManager, app.Services.GetRequiredService<PamAuthenticator>().Service, tokens.Count);
        await app.RunAsync().ConfigureAwait(false);
        certificate.Dispose();
        NLog.LogManager.Shutdown();
        return Environment.ExitCode;
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Host agent listening on {Address} port {Port}; certificate SHA-256 {Fingerprint} ({CertificateState}); clusterd via {ServiceManager}; PAM service {PamService}; {TokenCount} tokens")]
    private static partial void LogStarting(ILogger logger, string address, int port, string fingerprint, string certificateState, string serviceManager, string pamService, int tokenCount);
}

/// <summary>In process mode, starts clusterd when the agent starts if it is enabled and configured (systemd's boot).</summary>
internal sealed partial class ClusterdAutostart(IClusterdService clusterd, ClusterdInstallation installation, ILogger<ClusterdAutostart> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (installation.Configured && (await clusterd.GetStateAsync(cancellationToken).ConfigureAwait(false)).Enabled)
        {
            var result = await clusterd.StartAsync(installation.ConfigFile, cancellationToken).ConfigureAwait(false);
            LogAutostart(logger, result.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => clusterd.StopAsync(cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "clusterd is enabled: {Result}")]
    private static partial void LogAutostart(ILogger logger, string result);
}
