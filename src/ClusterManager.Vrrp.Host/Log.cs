using System.Net;
using Microsoft.Extensions.Logging;
using ClusterManager.Vrrp.Protocol;

namespace ClusterManager.Vrrp.Host;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "({Instance}) state {From} -> {To}, priority {Priority}: {Reason}")]
    public static partial void StateChanged(ILogger logger, string instance, VrrpState from, VrrpState to, byte priority, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "({Instance}) VRRP mismatch from peer {Peer}: field {Field} expected {Expected} received {Received} ({Action})")]
    public static partial void Mismatch(ILogger logger, string instance, IPAddress peer, VrrpMismatchField field, string expected, string received, string action);

    [LoggerMessage(Level = LogLevel.Information, Message = "({Instance}) started on {InterfaceName} src {Source} vrid {Vrid} priority {Priority} v{Version} interval {Interval}")]
    public static partial void Started(ILogger logger, string instance, string interfaceName, IPAddress source, byte vrid, byte priority, int version, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Warning, Message = "({Instance}) {Command} failed: {Error}")]
    public static partial void CommandFailed(ILogger logger, string instance, string command, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "({Instance}) track script {Script} now {Result}; effective priority {Priority}")]
    public static partial void TrackScript(ILogger logger, string instance, string script, string result, int priority);

    [LoggerMessage(Level = LogLevel.Warning, Message = "({Instance}) tracked interface {InterfaceName} is {State}")]
    public static partial void TrackInterface(ILogger logger, string instance, string interfaceName, string state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "({Instance}) send failed: {Error}")]
    public static partial void SendFailed(ILogger logger, string instance, string error);

    [LoggerMessage(Level = LogLevel.Critical, Message = "cm-vrrpd stopped on an error")]
    public static partial void Fatal(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "({Instance}) action {Action}")]
    public static partial void Action(ILogger logger, string instance, VrrpAction action);
}
