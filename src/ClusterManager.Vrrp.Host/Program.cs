using ClusterManager.Vrrp.Configuration;
using ClusterManager.Vrrp.Host;
using Microsoft.Extensions.Logging;
using NLog.Extensions.Logging;
using System.Runtime.InteropServices;

// cm-vrrpd: runs the VRRP instances of one configuration file until SIGTERM/SIGINT (graceful: priority 0, addresses
// removed). Usage: cm-vrrpd --config FILE [--check] [--debug]. Exit 0 ok, 2 bad usage/config, 1 runtime failure.
string? configPath = null;
var checkOnly = false;
var debug = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--config" or "-f" when i + 1 < args.Length:
            configPath = args[++i];
            break;
        case "--check" or "-t":
            checkOnly = true;
            break;
        case "--debug" or "-D":
            debug = true;
            break;
        default:
            await Console.Error.WriteLineAsync($"cm-vrrpd: unknown argument '{args[i]}'. Usage: cm-vrrpd --config FILE [--check] [--debug]");
            return 2;
    }
}

if (configPath is null)
{
    await Console.Error.WriteLineAsync("cm-vrrpd: --config FILE is required");
    return 2;
}

VrrpConfigResult parsed;
try
{
    parsed = VrrpHostConfig.Parse(await File.ReadAllTextAsync(configPath));
}
catch (IOException ex)
{
    await Console.Error.WriteLineAsync($"cm-vrrpd: cannot read {configPath}: {ex.Message}");
    return 2;
}

// The protocol library handles IPv6 (VRRPv3 codec, unsolicited NA); this host's sockets are IPv4 only so far.
var hostErrors = parsed.Config?.Instances
    .Where(i => i.ParsedAddresses().Any(a => a.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6))
    .Select(i => $"instance '{i.Name}': virtualAddresses: IPv6 is not supported by cm-vrrpd yet")
    .ToList() ?? [];
if (hostErrors.Count > 0)
{
    parsed = parsed with { Config = null, Errors = [.. parsed.Errors, .. hostErrors] };
}

if (!parsed.Success)
{
    foreach (var error in parsed.Errors)
    {
        await Console.Error.WriteLineAsync($"cm-vrrpd: {configPath}: {error}");
    }

    return 2;
}

if (checkOnly)
{
    Console.WriteLine($"cm-vrrpd: {configPath}: OK ({parsed.Config!.Instances.Count} instances)");
    return 0;
}

var nlog = new NLog.Config.LoggingConfiguration();
var console = new NLog.Targets.ConsoleTarget("console")
{
    Layout = "${date:universalTime=true:format=yyyy-MM-ddTHH\\:mm\\:ss.fffZ} ${level:uppercase=true} ${message}${onexception: ${exception:format=tostring}}",
    AutoFlush = true,
};
nlog.AddRule(debug ? NLog.LogLevel.Debug : NLog.LogLevel.Info, NLog.LogLevel.Fatal, console);
using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(debug ? LogLevel.Debug : LogLevel.Information).AddNLog(nlog));
var logger = loggerFactory.CreateLogger("cm-vrrpd");

using var shutdown = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    shutdown.Cancel();
}

using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

var config = parsed.Config!;
var runners = config.Instances.Select(i => new InstanceRunner(i, config.Scripts, config.StateDirectory, TimeProvider.System, logger)).ToList();
var tasks = runners.Select(r => Task.Run(() => r.RunAsync(shutdown.Token))).ToList();
try
{
    await Task.WhenAll(tasks);
}
catch (Exception ex) when (ex is not OperationCanceledException)
{
    Log.Fatal(logger, ex);
    await shutdown.CancelAsync();
    await Task.WhenAll(tasks.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
    return 1;
}

await Task.WhenAll(runners.Select(r => r.DrainNotificationsAsync()));
return 0;
