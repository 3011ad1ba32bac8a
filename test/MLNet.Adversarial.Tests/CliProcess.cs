using System.Diagnostics;

namespace MLNet.Adversarial.Tests;

/// <summary>Starts the CLI (copied into the test output through the project reference) as a separate process.</summary>
internal static class CliProcess
{
    public static Process Start(IEnumerable<string> args)
    {
        var cliDll = Path.Combine(AppContext.BaseDirectory, "mlnet-adv.dll");
        Assert.IsTrue(File.Exists(cliDll), cliDll);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(cliDll);
        foreach (var a in args) start.ArgumentList.Add(a);
        return Process.Start(start)!;
    }
}
