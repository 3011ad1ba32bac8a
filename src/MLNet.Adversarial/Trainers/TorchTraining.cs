using TorchSharp;

namespace MLNet.Adversarial.Trainers;

/// <summary>
/// Runs a TorchSharp training body after loading the native library, with libtorch's intra-op threads set for its
/// duration (and restored afterwards). Every trainer enters TorchSharp here.
/// </summary>
internal static class TorchTraining
{
    public static T Run<T>(int? threads, Func<T> body)
    {
        Runtime.TorchSharpNativeLoader.EnsureLoaded(); // before torch's static constructor: see TorchSharpNativeLoader
        return RunLoaded(threads, body);
    }

    // Kept out of Run: the JIT may run torch's static constructor when it compiles a method that touches torch,
    // which would be before EnsureLoaded had a chance to run.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static T RunLoaded<T>(int? threads, Func<T> body)
    {
        int previousThreads = torch.get_num_threads();
        torch.set_num_threads(threads ?? 1);
        try
        {
            return body();
        }
        finally
        {
            torch.set_num_threads(previousThreads);
        }
    }

    /// <summary>The TorchSharp device for <paramref name="device"/> (TorchSharp must be loaded).</summary>
    public static torch.Device ResolveDevice(TrainingDevice device) => device switch
    {
        TrainingDevice.Cpu => torch.CPU,
        TrainingDevice.Cuda when !torch.cuda.is_available() => throw new InvalidOperationException(
            "Device is Cuda but TorchSharp has no CUDA device: build with -p:TorchBackend=cuda on a machine with an NVIDIA GPU, or use TrainingDevice.Auto/Cpu."),
        TrainingDevice.Cuda => torch.CUDA,
        _ => torch.cuda.is_available() ? torch.CUDA : torch.CPU,
    };
}
