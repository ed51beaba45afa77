using ClusterManager.Daemon.Options;
using NLog.Config;
using NLog.Layouts;
using NLog.Targets;

namespace ClusterManager.Daemon;

/// <summary>
/// NLog for the executable: a journal-friendly console line (no timestamp: journald adds one; level, logger, message,
/// structured fields as key=value) and, when a log directory is configured, a file with timestamps.
/// </summary>
internal static class LoggingSetup
{
    public static LoggingConfiguration Create(ClusterdOptions options)
    {
        var level = NLog.LogLevel.FromString(options.LogLevel);
        var config = new LoggingConfiguration();
        var console = new ConsoleTarget("console")
        {
            Layout = Layout.FromString("${level:uppercase=true} ${logger:shortName=true}: ${message}${onexception:inner= ${exception:format=tostring}}"),
            StdErr = true,
        };
        config.AddRule(level, NLog.LogLevel.Fatal, console);
        if (!string.IsNullOrWhiteSpace(options.LogDirectory))
        {
            var file = new FileTarget("file")
            {
                FileName = Path.Combine(options.LogDirectory, $"clusterd-{options.NodeName}.log"),
                Layout = Layout.FromString("${longdate:universalTime=true}Z ${level:uppercase=true} ${logger}: ${message} ${all-event-properties}${onexception:inner= ${exception:format=tostring}}"),
            };
            config.AddRule(level, NLog.LogLevel.Fatal, file);
        }

        return config;
    }
}
