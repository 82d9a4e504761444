using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CnnGen.Tests.Infrastructure
{
    /// <summary>Cases computed by PyTorch (tools/make_fixtures.py), committed as Fixtures/torch_cases.json.</summary>
    public sealed class TorchCase
    {
        public string Name { get; set; } = string.Empty;

        public int[] Input { get; set; } = Array.Empty<int>();

        public List<Dictionary<string, JsonElement>> Layers { get; set; } = new();

        public float[] X { get; set; } = Array.Empty<float>();

        public float[] Parameters { get; set; } = Array.Empty<float>();

        /// <summary>Each layer's output, ReLUs included, in order.</summary>
        public List<float[]> Steps { get; set; } = new();

        public float[] Y { get; set; } = Array.Empty<float>();

        public NetSpec ToSpec()
        {
            var layers = new List<LayerSpec>();
            foreach (Dictionary<string, JsonElement> layer in Layers)
            {
                int Get(string key, int fallback) => layer.TryGetValue(key, out JsonElement v) ? v.GetInt32() : fallback;
                OutputRounding rounding = layer.TryGetValue("rounding", out JsonElement r) ? Enum.Parse<OutputRounding>(r.GetString()!) : OutputRounding.Exact;
                layers.Add(layer["kind"].GetString() switch
                {
                    "conv" => LayerSpec.Conv(Get("filters", 0), Get("size", 0), Get("stride", 1), Get("padding", 0), rounding),
                    "pool" => LayerSpec.Pool(Get("size", 0), Get("stride", 0), Get("padding", 0), rounding),
                    "fc" => LayerSpec.Fc(Get("outputs", 0)),
                    _ => LayerSpec.Relu(),
                });
            }

            return new NetSpec(Input[0], Input[1], Input[2], layers);
        }

        public override string ToString() => Name;

        public static IReadOnlyList<TorchCase> Load()
        {
            string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "torch_cases.json");
            var options = new JsonSerializerOptions
            {
                PropertyNameCaseInsensitive = true,
                NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            };
            using FileStream stream = File.OpenRead(path);
            return JsonSerializer.Deserialize<FixtureFile>(stream, options)!.Cases;
        }

        private sealed class FixtureFile
        {
            public List<TorchCase> Cases { get; set; } = new();
        }
    }
}
