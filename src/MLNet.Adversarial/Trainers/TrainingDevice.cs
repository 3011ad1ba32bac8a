namespace MLNet.Adversarial.Trainers;

/// <summary>Where TorchSharp trains the model.</summary>
public enum TrainingDevice
{
    /// <summary>CUDA when TorchSharp was built with a CUDA backend and a GPU is present, the CPU otherwise.</summary>
    Auto,
    /// <summary>The CPU.</summary>
    Cpu,
    /// <summary>The first CUDA GPU; an error when none is available.</summary>
    Cuda,
}
