package tips

import (
	"strings"
)

// lexicon lists, per category, folded phrases (lower case, no accents) in
// Spanish, Portuguese, English and French, with the region's slang, and
// how strongly each points to the category.
var lexicon = map[Category]map[string]float64{
	Extortion: {
		"cobro de piso": 3, "derecho de piso": 3, "cobran piso": 3, "pagar piso": 3, "piso": 1.5, "cuota": 2, "cuotas": 2,
		"la renta": 2.5, "renta": 1.5, "vacuna": 2, "vacunas": 2, "extorsion": 3, "extorsionan": 3, "extorsionando": 3, "extorsionador": 3,
		"extorsiones": 3, "extorsionadores": 3, "cobran": 1.5, "cobrando": 1.5, "cobrar": 1, "pagar para trabajar": 3, "para dejarlos trabajar": 3,
		"taxa de protecao": 3, "taxa": 1.5, "pedagio": 2, "cobram": 1.5, "cobrando taxa": 3, "extorsao": 3, "extorquindo": 3,
		"protection money": 3, "extortion": 3, "extort": 3, "extorting": 3, "racket": 2.5, "pay up": 2, "shakedown": 3,
		"racket de": 3, "racketteurs": 3, "rackettent": 3, "rancon": 2, "payer pour": 1.5, "protection": 1,
		"amenazan si no pagan": 3, "si no pagan": 2.5, "si no paga": 2.5, "se nao pagar": 2.5, "if they don't pay": 2.5, "s'ils ne paient pas": 2.5,
	},
	Drugs: {
		"narcomenudeo": 3, "narcomenudistas": 3, "venden droga": 3, "venta de droga": 3, "droga": 2, "drogas": 2, "cristal": 2, "piedra": 1.5,
		"mota": 2, "perico": 2, "coca": 1.5, "cocaina": 2.5, "metanfetamina": 3, "tiradores": 2.5, "tirador": 2, "punto de venta": 2.5, "tiendita": 2,
		"laboratorio": 2, "cocina": 1, "fentanilo": 3, "marihuana": 2.5, "heroina": 2.5, "narcotienda": 3, "dealer": 2,
		"boca de fumo": 3, "biqueira": 3, "po": 1, "maconha": 2.5, "crack": 2.5, "trafico de drogas": 3, "traficantes": 2, "trafico": 1,
		"drug": 2.5, "drugs": 2.5, "dealing": 2, "meth": 3, "stash house": 3, "fentanyl": 3, "cocaine": 2.5, "weed": 2,
		"point de deal": 3, "deal": 1.5, "dealers": 2, "stupefiants": 3, "drogue": 2.5, "shit": 1.5, "chouf": 2.5, "guetteurs": 2, "cannabis": 2.5,
		"halcones": 0.7,
	},
	Weapons: {
		"cuerno de chivo": 3, "cuernos de chivo": 3, "armas": 2.5, "arma": 2, "armas largas": 3, "pistolas": 2.5, "pistola": 2, "rifles": 2.5,
		"ak 47": 3, "ak47": 3, "r15": 3, "ar 15": 3, "granadas": 3, "municiones": 2.5, "balas": 1.5, "trafico de armas": 3, "venden armas": 3,
		"fuzil": 3, "fuzis": 3, "armamento": 2.5, "paiol": 3, "municao": 2.5, "revolver": 2,
		"guns": 3, "gun": 2.5, "weapons": 3, "weapon": 2.5, "rifle": 2.5, "ammunition": 2.5, "firearms": 3, "cache": 1.5,
		"kalachnikov": 3, "kalash": 3, "armes": 3, "trafic d'armes": 3, "fusil": 2.5, "munitions": 2.5, "pistolet": 2.5,
	},
	Trafficking: {
		"trata de personas": 3, "trata": 2.5, "enganchadores": 3, "enganchan": 2.5, "migrantes": 2, "migrante": 2, "polleros": 3, "pollero": 3,
		"coyotes": 2.5, "coyote": 2, "explotacion sexual": 3, "explotan": 2, "prostituir": 2.5, "obligan a trabajar": 3, "casa de seguridad": 1.5,
		"retenidos": 1.5, "secuestrados migrantes": 3, "menores": 1, "esclavitud": 3,
		"trafico de pessoas": 3, "exploracao sexual": 3, "trabalho escravo": 3, "aliciadores": 3, "prostituicao": 2.5, "escravidao": 3,
		"human trafficking": 3, "trafficking": 2.5, "forced labor": 3, "forced labour": 3, "smuggling": 2.5, "smugglers": 2.5, "sex trafficking": 3,
		"traite": 3, "traite des etres humains": 3, "proxenetisme": 3, "exploitation": 2.5, "passeurs": 2.5, "travail force": 3,
	},
	Violence: {
		"levanton": 3, "levantaron": 3, "levantan": 2.5, "balacera": 3, "balazos": 2.5, "disparos": 2.5, "ejecutado": 3, "ejecutaron": 3,
		"amenazas de muerte": 3, "amenazaron": 2, "amenaza": 1.5, "amenazas": 1.5, "sicario": 2.5, "sicarios": 2.5, "mataron": 3, "asesinaron": 3,
		"quemaron": 2.5, "desplazados": 2, "golpearon": 2, "periodista": 1.5, "secuestraron": 2.5, "secuestro": 2,
		"tiroteio": 3, "chacina": 3, "ameaca de morte": 3, "ameacas": 2, "ameacaram": 2, "mataram": 3, "toque de recolher": 3, "baleado": 3,
		"shooting": 3, "shots": 2, "death threats": 3, "threatened": 2, "threats": 1.5, "killed": 3, "murdered": 3, "kidnapped": 2.5, "beaten": 2,
		"journalist": 1.5, "fusillade": 3, "menaces de mort": 3, "menaces": 1.5, "menace": 1.5, "tue": 2, "tues": 2, "abattu": 3, "reglement de comptes": 3,
		"halcones": 0.8,
	},
	Corruption: {
		"mordida": 3, "moche": 3, "soborno": 3, "sobornos": 3, "corrupcion": 3, "corruptos": 3, "corrupto": 3, "policias cobran": 3,
		"policia": 1, "policias": 1, "municipales": 1.5, "funcionario": 2, "funcionarios": 2, "agente de transito": 2, "compra de votos": 3,
		"arreglado": 2, "protegen": 1.5, "comandante": 1.5, "presidente municipal": 2, "alcalde": 1.5,
		"propina": 3, "arrego": 3, "policial corrupto": 3, "corrupcao": 3, "vereador": 2, "prefeitura": 1.5, "policiais": 1,
		"bribe": 3, "bribes": 3, "bribery": 3, "corrupt": 3, "kickbacks": 3, "kickback": 3, "police": 1, "officer": 1, "officials": 1.5,
		"pot-de-vin": 3, "pots-de-vin": 3, "corrompu": 3, "corrompus": 3, "corruption": 3, "policiers": 1, "elu": 1.5, "maire": 1.5, "pot de vin": 3,
	},
	Missing: {
		"desaparecido": 3, "desaparecida": 3, "desaparecidos": 3, "desaparecidas": 3, "no aparece": 3, "no ha regresado": 3, "vista por ultima vez": 3,
		"visto por ultima vez": 3, "ficha de busqueda": 3, "colectivo de busqueda": 3, "buscadoras": 3, "fosa": 2, "fosas": 2, "paradero": 3,
		"sumiu": 3, "sumida": 3, "sumido": 3, "desaparecimento": 3, "nao voltou": 3, "paradeiro": 3, "vista pela ultima vez": 3,
		"missing": 3, "last seen": 3, "disappeared": 3, "whereabouts": 3, "hasn't come home": 3, "has not come home": 3,
		"disparu": 3, "disparue": 3, "disparition": 3, "vue pour la derniere fois": 3, "vu pour la derniere fois": 3, "pas rentre": 2.5, "pas rentree": 2.5,
	},
}

// Classify suggests a category for a tip and a confidence between 0 and 1.
// It weighs lexicon phrases found in the folded text; with no evidence it
// says Other with confidence 0. The reporter's choice always wins over it.
func Classify(text string) (Category, float64) {
	t := " " + strings.Join(strings.FieldsFunc(Fold(text), func(r rune) bool {
		return !(r >= 'a' && r <= 'z') && !(r >= '0' && r <= '9') && r != '\'' && r != '-' && r < 0x80
	}), " ") + " "
	var best Category = Other
	var bestScore, total float64
	for _, cat := range Categories {
		score := 0.0
		for phrase, w := range lexicon[cat] {
			if strings.Contains(t, " "+phrase+" ") {
				score += w
			}
		}
		total += score
		if score > bestScore {
			best, bestScore = cat, score
		}
	}
	if bestScore < 1.5 {
		return Other, 0
	}
	return best, bestScore / total
}
