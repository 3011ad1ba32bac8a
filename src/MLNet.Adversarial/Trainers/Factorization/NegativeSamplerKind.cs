namespace MLNet.Adversarial.Trainers;

/// <summary>How the negative item of each training pair is drawn.</summary>
public enum NegativeSamplerKind
{
    /// <summary>Uniformly among the items the user has no positive for.</summary>
    Uniform,
    /// <summary>
    /// Dynamic negative sampling (Zhang et al., SIGIR 2013): draw several uniform candidates and keep the one the
    /// current model scores highest, so training concentrates on the hardest negatives.
    /// </summary>
    Dynamic,
}
