namespace MLNet.Adversarial.Serving;

/// <summary>What the serving transformer takes from a trainer's options: the columns, the top-K export and the ONNX Runtime device.</summary>
internal sealed record ServingOptions(string UserColumnName, string ItemColumnName, string ScoreColumnName, int TopK, bool ExcludeTrainingItemsFromTopK,
    int? GpuDeviceId, bool? FallbackToCpu);
